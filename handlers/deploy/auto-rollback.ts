import type { Deployment } from '../../src/do/port.js';
import { shortId } from '../../src/render/format.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import type { FinishedDeployment } from './follow-types.js';
import { type RunnerDeps, runRollbackTo } from './runners.js';

/** Deployments DigitalOcean lists before it shows a new one: a rollback sent just now is among them. */
const RECENT = 20;
/** Slack for clocks of replicas and DigitalOcean when a rollback is looked for by time. */
const CLOCK_SLACK_MS = 60_000;

/**
 * auto_rollback of a followed deployment whose checks failed, started at most once across
 * replicas: the watch record says "rolling back to P" (saved) before the rollback is sent,
 * and its deployment id once DigitalOcean answered. A replica that takes over after a
 * crash in between finds that rollback (its id, DigitalOcean's list, or its intent still
 * being resolved) and follows it instead of sending another, which the pin and the lock of
 * the first would refuse. Returns the line the outcome says.
 */
export async function autoRollBack(
  deps: RunnerDeps & { slack: SlackPoster },
  finished: FinishedDeployment,
  previous: string,
): Promise<string> {
  const { record } = finished;
  const said = (id: string | undefined) =>
    `:rewind: auto_rollback is on: rolling back to \`${shortId(previous)}\`${id ? ` (deployment \`${shortId(id)}\`)` : ''}.`;
  const prior = record.rollingBack?.to === previous ? record.rollingBack : undefined;
  if (prior) {
    const id = prior.deploymentId ?? (await sentBefore(deps, finished, previous, prior.at))?.id;
    if (id) return said(id);
    if (await stillResolving(deps, finished, previous)) {
      return `${said(undefined)} dockside was interrupted while starting it; its own message follows it.`;
    }
    // Marked, and neither sent nor being sent: the replica stopped before it; start it now.
  }
  const at = new Date(deps.clock.now()).toISOString();
  await finished.markRollingBack?.({ to: previous, at });
  const channel = record.message.channel || record.channel || '';
  const started = await runRollbackTo(
    deps,
    { app: record.app, env: record.env, appId: record.appId },
    { user: record.user, channel, post: (m) => deps.slack.post(channel, m) },
    previous,
  );
  // Best effort: without it, a takeover finds the rollback in DigitalOcean's list.
  await finished
    .markRollingBack?.({ to: previous, at, deploymentId: started.deployment.id })
    .catch(() => undefined);
  return said(started.deployment.id);
}

/** The rollback to `previous` DigitalOcean created since `at`, if any. */
async function sentBefore(
  deps: RunnerDeps,
  finished: FinishedDeployment,
  previous: string,
  at: string,
): Promise<Deployment | undefined> {
  const after = Date.parse(at) - CLOCK_SLACK_MS;
  const recent = await deps.do.listDeployments(finished.record.appId, { perPage: RECENT });
  return recent
    .filter(
      (d) => /rollback/i.test(d.cause) && d.cause.includes(previous) && Date.parse(d.createdAt) >= after,
    )
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
}

/** A rollback intent for it is still open: recovery finds out whether it was created and follows it. */
async function stillResolving(
  deps: RunnerDeps,
  finished: FinishedDeployment,
  previous: string,
): Promise<boolean> {
  const { record } = finished;
  const intents = await deps.intents.store.list();
  return intents.some(
    (i) => i.kind === 'rollback' && i.app === record.app && i.env === record.env && i.causeHint === previous,
  );
}
