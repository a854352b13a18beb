import type { MessageRef, SlackMessage } from '../../src/slack/reply.js';
import type { PlanKind, ReleasePlan } from './target.js';

/**
 * What /deploy, /rollback <id> and /promote ask of an env, before anything is planned.
 * Each kind of target reads only the fields that make sense for it (a tag for images on
 * Droplets, a clean build for App Platform); the command's parser has already refused
 * the others with a reason.
 */
export type ActionRequest =
  | { kind: 'deploy'; tag?: string; forceBuild?: boolean }
  /** `listState`: what the env ran when the list whose button this came from was shown. */
  | { kind: 'rollback'; to: string; listState?: string }
  /** Promote into this env what `from` (an env of the same app, same kind) runs now. */
  | { kind: 'promote'; from: string };

/** A request planned: what an approval card shows and binds to, and what runs when no approval is needed. */
export interface PreparedAction {
  kind: PlanKind;
  /** The approval card's text (mrkdwn, hostile text escaped). */
  summary: string;
  /** What the approval is bound to; `runApproved` refuses it as stale when any of it moved. */
  binding: Record<string, string>;
  params: Record<string, string>;
  /** The plan a Droplet rollout carries out as it is: what was checked is exactly what runs. */
  plan?: ReleasePlan;
}

export type Prepared =
  | { status: 'ready'; action: PreparedAction }
  /** Nothing to do (production already runs what staging runs); said to the person as it is. */
  | { status: 'nothing'; message: string }
  /** Cannot be done now, for these reasons (mrkdwn-safe). */
  | { status: 'blocked'; reasons: string[] };

/** An approved request as the approval store keeps it (it survives restarts). */
export interface ApprovedAction {
  kind: PlanKind;
  binding: Record<string, string>;
  params: Record<string, string>;
  /** The command as typed, for "run it again" hints. */
  command: string;
}

/** Who asked, and where the progress goes. */
export interface ActionContext {
  /** Slack user id of who asked. */
  user: string;
  /** Channel the request came from: where a replica that takes over reports. */
  channel?: string;
  /** The command as typed, for the audit log and messages. */
  command?: string;
  /** Posts the progress message (in the channel the request came from). */
  post: (message: SlackMessage) => Promise<MessageRef>;
  /** The audit entry this run follows (the command's). */
  auditRef?: string;
  /** Set for an approved request: its run intent already exists (the approve transition wrote it). */
  approvalId?: string;
  /** Lines for the first reply in the thread (e.g. who approved); mrkdwn-safe already. */
  lines?: string[];
}

export type ActionResult =
  /**
   * Under way on DigitalOcean: the crash-safe follower reports the outcome in the channel
   * (and ends the approval), on whichever replica holds it by then.
   */
  | { status: 'started'; detail: string; doIds: Record<string, string> }
  /** Carried out to its end here (a Droplet rollout), with its outcome. */
  | { status: 'done'; ok: boolean; detail: string; releaseId: string };

/**
 * The operations a person drives on an env, the same for both kinds of target. Commands
 * call `prepare`, then ask for approval with its summary and binding, or `run` it at
 * once; an approved request comes back through `runApproved`, which plans again and
 * refuses what moved. Locks, intents and the audit trail are each kind's business, so a
 * command cannot forget them.
 */
export interface TargetActions {
  /**
   * `approval`: whether the env needs one. A request for an approver is bound to what
   * runs now and must show it; one that runs at once is checked when it runs.
   */
  prepare(request: ActionRequest, options: { approval: boolean }): Promise<Prepared>;
  run(action: PreparedAction, context: ActionContext): Promise<ActionResult>;
  runApproved(approved: ApprovedAction, context: ActionContext): Promise<ActionResult>;
}
