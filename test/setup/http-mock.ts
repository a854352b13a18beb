import nock from 'nock';
import { afterEach, beforeAll } from 'vitest';

/**
 * Strict HTTP mocking (renovate's test/http-mock.ts): no request leaves the machine,
 * loopback stays open for the local fakes, and a test fails on mocks it never used.
 */
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect((host) => host.startsWith('127.0.0.1') || host.startsWith('localhost'));
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  if (pending.length > 0) throw new Error(`HTTP mocks not used by the test:\n${pending.join('\n')}`);
});
