import net from 'node:net';

/**
 * The real services the tests use. If one is down the whole run fails at once with
 * its name and the command that starts it; nothing is skipped.
 */
const SERVICES = [
  {
    name: 'Redis',
    port: 6379,
    start: 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
  },
  {
    name: 'PostgreSQL',
    port: 5432,
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  {
    name: 'MariaDB/MySQL',
    port: 3306,
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  },
];

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export default async function checkServices(): Promise<void> {
  const down = [];
  for (const s of SERVICES) if (!(await reachable(s.port))) down.push(s);
  if (down.length > 0) {
    throw new Error(
      `Tests need these services on 127.0.0.1 and cannot reach them:\n${down
        .map((s) => `  - ${s.name} (port ${s.port}); start it with: ${s.start}`)
        .join('\n')}`,
    );
  }
}
