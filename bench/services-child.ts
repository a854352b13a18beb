import { startDoSimulator } from '../src/sandbox/do-simulator.js';
import { startFakeSlack } from '../src/sandbox/fake-slack.js';

/**
 * The fake Slack and the DO simulator in a process of their own, so the load
 * generator's timings are not delayed by serving the bot's calls after each ack.
 */
// The tokens bench/slack-child.ts gives the bot; the fakes accept no others.
const slack = await startFakeSlack({ botToken: 'xoxb-bench-token-000000' });
const sim = await startDoSimulator({ phaseDelayMs: 200, token: 'dop_v1_bench' });
sim.seedDemo();
process.stdout.write(
  `READY ${JSON.stringify({ slackUrl: slack.url, slackApiUrl: slack.apiUrl, doUrl: sim.url })}\n`,
);
