import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOX_CHANNELS, SANDBOX_USERS } from '../../src/sandbox/config.js';
import { answerTo, testWorld, waitFor } from '../helpers/world.js';

// Issue 13, degraded: six response_urls that hung held the command's slots for 10 s each,
// so another person's command waited 20 s behind them.
describe('response_urls that hang', async () => {
  const hanging = http.createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', () => resolve()));
  afterAll(() => {
    hanging.closeAllConnections();
    hanging.close();
  });
  const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`;
  const world = await testWorld();

  it("do not hold up another person's command, and their answers still arrive", async () => {
    const { driver, slack } = world;
    for (let i = 0; i < 6; i++) {
      const body = driver.commandBody(
        SANDBOX_USERS.alice,
        SANDBOX_CHANNELS.dev,
        '/audit',
        '--limit 1',
        `${hangingUrl}/${i}`,
      );
      expect((await driver.send(body)).status).toBe(200);
    }
    const started = performance.now();
    const res = await driver.command(SANDBOX_USERS.carol, SANDBOX_CHANNELS.dev, '/audit', '--limit 1');
    await answerTo(world, res, 5000);
    const waitedMs = Math.round(performance.now() - started);
    expect(waitedMs).toBeLessThan(1500);
    // Alice's six answers arrive too, by chat.postEphemeral once the response_url timed out.
    await waitFor(
      "alice's answers",
      () =>
        slack.ephemerals.filter((e) => e.via === 'chat.postEphemeral' && e.user === SANDBOX_USERS.alice)
          .length === 6,
      10_000,
    );
    console.log(`fault: another user's command answered in ${waitedMs} ms behind 6 hanging response_urls`);
  });
});
