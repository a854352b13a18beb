import { Redis } from 'ioredis';
import { scrub } from '../../secrets.js';
import type { Finding } from './types.js';

function endpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

/** Connects, pings and writes one short-lived key: a read-only replica or a wrong password shows here. */
export async function checkRedis(url: string, keyPrefix = ''): Promise<Finding> {
  const where = endpoint(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    commandTimeout: 5000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    ...(url.startsWith('rediss://') ? { tls: {} } : {}),
  });
  // connect() rejects with "Connection is closed"; the socket's own error says why.
  let socketError: unknown;
  redis.on('error', (err) => {
    socketError ??= err;
  });
  try {
    await redis.connect();
    await redis.ping();
    await redis.set(`${keyPrefix}dockside:config-check`, new Date().toISOString(), 'PX', 10_000);
    return { what: 'Redis', level: 'ok', detail: `reached ${where}, and it accepts writes` };
  } catch (thrown) {
    const err = socketError ?? thrown;
    const text = scrub(err instanceof Error ? err.message : String(err));
    const code = (err as { code?: string }).code ?? '';
    let detail = `cannot use ${where}: ${text}`;
    let hint = 'Check REDIS_URL.';
    if (code === 'ECONNREFUSED') detail = `nothing accepts connections at ${where}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') detail = `the host of ${where} is not known`;
    if (/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(text)) {
      detail = `${where} refused the user or password`;
      hint =
        'Use the connection string of the Redis database component (the bindable DATABASE_URL on App Platform).';
    }
    if (/READONLY/i.test(text)) detail = `${where} is a read-only replica`;
    if (/ETIMEDOUT|timed? ?out/i.test(text)) {
      detail = `no answer from ${where}`;
      hint =
        "Add dockside's app to the Redis cluster's trusted sources, and use rediss:// for managed Redis.";
    }
    return { what: 'Redis', level: 'fail', detail, hint };
  } finally {
    redis.disconnect();
  }
}
