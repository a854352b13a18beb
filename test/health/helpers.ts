import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import type { App, ComponentHealth, DoClient } from '../../src/do/port.js';

export type Behaviour = { status?: number; body?: unknown; delayMs?: number; hang?: boolean };

/**
 * Local health endpoints: `/<name>` answers as `routes[name]` says at the time of the
 * request, so a test can make an endpoint slow, failing or flapping between polls.
 */
export async function startHealthServer(routes: Record<string, Behaviour> = {}) {
  let inFlight = 0;
  const stats = { maxInFlight: 0, hits: new Map<string, number>() };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const name = (req.url ?? '/').slice(1);
    stats.hits.set(name, (stats.hits.get(name) ?? 0) + 1);
    inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    res.on('close', () => {
      inFlight -= 1;
    });
    const b = routes[name] ?? { status: 404 };
    if (b.hang) return;
    setTimeout(() => {
      res.writeHead(b.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(b.body ?? { status: 'ok' }));
    }, b.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: (name: string) => `http://127.0.0.1:${port}/${name}`, routes, stats };
}

/** getApp / getAppHealth from per-app tables; other DoClient methods throw. */
export function fakeAppsDo(
  apps: Record<string, Partial<App>>,
  health: Record<string, ComponentHealth[]> = {},
): DoClient {
  const unused = () => {
    throw new Error('not used by health');
  };
  return {
    getApp: async (id) => {
      const app = apps[id];
      if (!app) throw new Error(`no app ${id}`);
      return { id, name: id, spec: { name: id }, ...app };
    },
    getAppHealth: async (id) => health[id] ?? [],
    listDeployments: unused,
    getDeployment: unused,
    createDeployment: unused,
    cancelDeployment: unused,
    updateAppSpec: unused,
    validateRollback: unused,
    rollback: unused,
    commitRollback: unused,
    revertRollback: unused,
    getDatabaseCluster: unused,
    listDatabaseBackups: unused,
    restoreDatabaseBackup: unused,
  };
}

export function deployment(
  id: string,
  phase: App['activeDeployment'] extends infer D ? (D extends { phase: infer P } ? P : never) : never,
  updatedAt: string,
) {
  return {
    id,
    phase,
    cause: 'manual',
    createdAt: updatedAt,
    updatedAt,
    progress: { successSteps: 1, totalSteps: 1, errorSteps: 0, steps: [] },
    components: [],
  };
}
