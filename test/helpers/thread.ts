import type { FakeMessage, FakeSlack } from '../../src/sandbox/fake-slack.js';
import { waitFor } from './world.js';

/**
 * A deployment's channel line together with its thread, once the thread has its outcome
 * reply: the blocks of both, in order, so a test reads what a person reads when they open
 * the thread. Buttons stay on the line itself (click the line, not this copy).
 */
export async function withThread(
  slack: FakeSlack,
  line: FakeMessage,
  timeoutMs = 8000,
): Promise<FakeMessage> {
  const replies = await waitFor(
    'the outcome in the thread',
    () => {
      const all = slack.replies(line);
      return all.some((r) => /: (done|failed), the details$/.test(r.text)) && all;
    },
    timeoutMs,
  );
  return { ...line, blocks: [...line.blocks, ...replies.flatMap((r) => r.blocks)] };
}
