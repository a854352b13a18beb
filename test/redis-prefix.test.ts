import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createDockside } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { connectRedis } from '../src/redis.js';
import { sandboxConfig } from '../src/sandbox/config.js';

describe('REDIS_KEY_PREFIX', () => {
  it('keeps every key of this install under the prefix, so two installs can share one Redis', async () => {
    const prefix = `install-${randomBytes(3).toString('hex')}:`;
    const bot = createDockside({
      env: {
        SLACK_BOT_TOKEN: 'xoxb-prefix-test',
        SLACK_SIGNING_SECRET: 'prefix-test-secret',
        DIGITALOCEAN_TOKEN: 'dop_v1_prefix',
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: prefix,
        DOCKSIDE_CONFIG: '(test)',
        PORT: 0,
        LOG_LEVEL: 'silent',
      },
      config: sandboxConfig(),
      log: createLogger({ level: 'silent' }),
      schedules: false,
    });
    await connectRedis(bot.redis, 'redis://127.0.0.1:6379');
    const plain = new Redis('redis://127.0.0.1:6379');
    try {
      await bot.locks.lock({
        app: 'web',
        env: 'staging',
        by: 'U0ALICE',
        reason: 'test',
        since: new Date().toISOString(),
      });
      await bot.audit.append({ actor: 'U0ALICE', action: 'lock', result: 'succeeded' });
      const keys = await plain.keys(`${prefix}*`);
      expect(keys).toEqual(expect.arrayContaining([`${prefix}lock:web:staging`, `${prefix}audit:head`]));
      if (keys.length > 0) await plain.del(...keys);
    } finally {
      plain.disconnect();
      bot.redis.disconnect();
    }
  });
});
