import { startDoSimulator } from '../src/sandbox/do-simulator.js';
import { startFakeSlack } from '../src/sandbox/fake-slack.js';

/**
 * The fake Slack and the DO simulator in a process of their own, so the load
 * generator's timings are not delayed by serving the bot's calls after each ack.
 */
const slack = await startFakeSlack({});
const sim = await startDoSimulator({ phaseDelayMs: 200 });
sim.seedDemo();
process.stdout.write(
  `READY ${JSON.stringify({ slackUrl: slack.url, slackApiUrl: slack.apiUrl, doUrl: sim.url })}\n`,
);
