import type { AuditLog } from '../../src/audit/types.js';
import { type Clock, sleep as realSleep } from '../../src/clock.js';
import type { IntentStore, RunIntent } from '../../src/intents.js';
import type { Logger } from '../../src/logger.js';
import { canPing, finalReply } from '../../src/render/deployment-thread.js';
import { dropletLineMessage, rolloutTitle } from '../../src/render/droplet-rollout.js';
import { escapeText, mention } from '../../src/render/format.js';
import type { SlackPoster } from '../../src/slack/reply.js';
import type { PlanKind } from '../deploy/target.js';
import { broadcastsFailure, postFinalReply } from '../deploy/thread-replies.js';
import type { ReleaseLog } from './release-log.js';

export interface DropletRecoveryDeps {
  releases: ReleaseLog;
  store: IntentStore;
  slack: Pick<SlackPoster, 'post' | 'update'>;
  audit: AuditLog;
  log: Logger;
  clock: Clock;
  sleep?: (ms: number) => Promise<void>;
  /** Closes an approval with its outcome (store, audit, card; removes the intent). */
  finishApproval(id: string, ok: boolean, outcome: string): Promise<void>;
}

/** What a replica that takes over knows about a rollout whose replica stopped. */
function account(intent: RunIntent, touched: boolean): { plain: string; mrkdwn: string } {
  const what = intent.command ?? `the ${intent.kind} of ${intent.app ?? ''} ${intent.env ?? ''}`.trim();
  const health = `/health ${intent.app ?? ''} ${intent.env ?? ''}`.trim();
  if (!touched) {
    const text = (w: string) =>
      `Not run: dockside stopped before ${w} changed any host, so nothing was deployed. Run it again if it is still needed.`;
    return { plain: text(what), mrkdwn: text(`\`${escapeText(what, 'code')}\``) };
  }
  const done = intent.hostsDone ?? [];
  const facts = (quote: (s: string) => string) =>
    [
      `release ${quote(intent.releaseId ?? 'unknown')}`,
      done.length > 0 ? `hosts it had finished: ${done.map(quote).join(', ')}` : 'no host had finished',
      intent.lastStep ? `last step: ${quote(intent.lastStep)}` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
  const code = (s: string) => `\`${escapeText(s, 'code')}\``;
  return {
    plain:
      `Interrupted: dockside stopped during ${what} (${facts((s) => s)}). It was not run again, since its hosts ` +
      `may now run different releases. ${health} shows each host; then deploy or roll back.`,
    mrkdwn:
      `:warning: *Interrupted*: dockside stopped during ${code(what)} (${facts(code)}). It was not run again, since ` +
      `its hosts may now run different releases. ${code(health)} shows each host; then deploy or roll back.`,
  };
}

/**
 * Ends the rollout's line (❌, how long since it began) and tells why in its thread,
 * mentioning the requester; without a line (the replica stopped before posting it), in
 * the channel.
 */
async function report(deps: DropletRecoveryDeps, intent: RunIntent, mrkdwn: string): Promise<void> {
  const line = intent.message;
  const user = intent.user;
  if (!line?.ts || !intent.app || !intent.env) {
    if (!intent.channel) return;
    const who = canPing(user) ? `${mention(user)} ` : '';
    await deps.slack.post(intent.channel, { text: `${who}${mrkdwn}` });
    return;
  }
  const view = {
    kind: dropletKind(intent.kind),
    app: intent.app,
    env: intent.env,
    user,
    releaseId: intent.releaseId ?? 'unknown',
    changes: [],
    hosts: [],
    startedAt: Date.parse(intent.createdAt),
    now: deps.clock.now(),
    error: 'interrupted: dockside stopped during the rollout',
  };
  await deps.slack
    .update(line, dropletLineMessage(view))
    .catch((err: unknown) => deps.log.warn({ err }, 'could not end the line of an interrupted rollout'));
  await postFinalReply(
    { slack: deps.slack, sleep: deps.sleep ?? realSleep },
    line,
    finalReply(rolloutTitle(view), user, { ok: false, lines: [mrkdwn] }),
    {
      log: deps.log,
      broadcast: broadcastsFailure(false, user),
    },
  );
}

/** The kinds a Droplet rollout has; an intent of another kind reads as a deploy. */
function dropletKind(kind: RunIntent['kind']): PlanKind {
  return kind === 'promote' || kind === 'rollback' ? kind : 'deploy';
}

/**
 * A Droplet rollout whose replica stopped (killed, lost Redis). Re-running half of it
 * blindly could put hosts on a release nobody is watching, so it is reported instead:
 * in the channel, in the audit log (or as the approval's outcome), and in the release
 * log, whose claim on the env is released so the next deploy is not blocked for hours.
 */
export async function concludeInterruptedRollout(
  deps: DropletRecoveryDeps,
  intent: RunIntent,
): Promise<void> {
  const { app, env, releaseId } = intent;
  let touched = intent.stage !== 'claimed';
  if (app && env && releaseId) {
    const record = await deps.releases.get(app, env, releaseId);
    // No record: the replica stopped before the rollout began (its check of the hosts only read them).
    if (!record) touched = false;
    if (record?.outcome === 'started') {
      const host = intent.lastStep?.split(' on ')[1];
      await deps.releases.finish(app, env, releaseId, 'failed', {
        ...(host ? { host } : {}),
        reason: 'interrupted: dockside stopped during the rollout',
      });
    }
    await deps.releases.unclaim(app, env, releaseId);
  }
  const text = account(intent, touched);
  await report(deps, intent, text.mrkdwn).catch((err: unknown) =>
    deps.log.warn({ err }, 'could not report an interrupted rollout in its channel'),
  );
  if (intent.approvalId) {
    await deps.finishApproval(intent.approvalId, false, text.plain);
  } else {
    await deps.audit.append({
      actor: 'dockside',
      action: `${intent.kind}.result`,
      ...(app ? { app } : {}),
      ...(env ? { env } : {}),
      result: 'failed',
      detail: text.plain,
      ...(intent.auditRef ? { ref: intent.auditRef } : {}),
      data: { target: 'droplets', interrupted: true, ...(releaseId ? { releaseId } : {}) },
    });
  }
  await deps.store.remove(intent.id);
}
