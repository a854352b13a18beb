import { afterAll } from 'vitest';

/**
 * Every promise rejection nobody handled while this test file runs: a fault test asserts
 * it stays empty, since one unhandled rejection kills a replica in production.
 */
export function recordUnhandledRejections(): unknown[] {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  afterAll(() => {
    process.off('unhandledRejection', onRejection);
  });
  return rejections;
}
