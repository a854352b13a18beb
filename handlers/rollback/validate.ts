import type { Deployment, DoClient, RollbackValidation } from '../../src/do/port.js';
import { escapeText, shortId } from '../../src/render/format.js';
import { findDeployment, sameRuns } from './list.js';

export interface ValidateRollbackInput {
  do: DoClient;
  appId: string;
  /** Full id or a unique prefix of at least 6 characters. */
  deploymentId: string;
  /** For messages only ("web production" reads better than an app id). */
  appName?: string;
  env?: string;
}

export interface RollbackCheck {
  valid: boolean;
  /** Why not, and what to do instead, in plain words. */
  errorMessage?: string;
  /** Things to know before approving, in plain words (mrkdwn, outside text escaped). */
  warnings: string[];
  /** The target runs the commits/digests that run now. */
  sameAsActive: boolean;
  /** The resolved target. */
  deployment: Deployment;
  /** What the app runs now (the "from" of the rollback). */
  activeDeploymentId?: string;
}

/**
 * App Platform's own rollback validation, in words a person can act on. The target
 * must belong to the app; anything else App Platform decides.
 */
export async function validateRollback(input: ValidateRollbackInput): Promise<RollbackCheck> {
  const where = {
    ...(input.appName ? { appName: input.appName } : {}),
    ...(input.env ? { env: input.env } : {}),
  };
  const deployment = await findDeployment(input.do, input.appId, input.deploymentId, where);
  const app = await input.do.getApp(input.appId);
  const activeId = app.activeDeployment?.id;
  const active = app.activeDeployment?.spec
    ? app.activeDeployment
    : activeId
      ? await input.do.getDeployment(input.appId, activeId).catch(() => app.activeDeployment)
      : undefined;
  const sameAsActive = active !== undefined && deployment.id !== activeId && sameRuns(deployment, active);
  const base = { deployment, sameAsActive, ...(activeId ? { activeDeploymentId: activeId } : {}) };
  if (deployment.id === activeId) {
    return {
      ...base,
      valid: false,
      errorMessage: `Deployment \`${shortId(deployment.id)}\` is the active deployment already; pick an earlier one to roll back to.`,
      warnings: [],
    };
  }
  const result = await input.do.validateRollback(input.appId, deployment.id);
  const names = {
    id: `\`${shortId(deployment.id)}\``,
    app: input.appName ?? 'the app',
    env: input.env ?? '',
  };
  const warnings = result.warnings.map((w) => warningText(w, names));
  if (sameAsActive) {
    warnings.unshift(
      `Deployment ${names.id} runs the same commits and image digests as the active one: rolling back changes no code (only the app spec it ran, such as environment variables, may differ).`,
    );
  }
  if (result.valid) return { ...base, valid: true, warnings };
  return {
    ...base,
    valid: false,
    errorMessage: errorText(result.error, deployment, names),
    warnings,
  };
}

interface Names {
  id: string;
  app: string;
  env: string;
}

function errorText(error: RollbackValidation['error'], deployment: Deployment, n: Names): string {
  const list = n.env ? `\`/rollback ${n.app} ${n.env}\`` : 'the list of recent deployments';
  switch (error?.code) {
    case 'incompatible_phase':
      return (
        `Deployment ${n.id} ended in phase ${deployment.phase}; App Platform can only roll back to a deployment ` +
        `that was ACTIVE once (now SUPERSEDED). Pick another one from ${list}.`
      );
    case 'app_pinned':
      return (
        `${[n.app, n.env].filter(Boolean).join(' ')} is already pinned to an earlier rollback. ` +
        'Keep it with Commit rollback or undo it with Revert rollback, then roll back again.'
      );
    case 'exceeded_revision_limit':
      return (
        `Deployment ${n.id} is too old: App Platform keeps only a limited number of revisions to roll back to. ` +
        `Pick a more recent one from ${list}, or redeploy that version (its commit or image digest) with /deploy.`
      );
    default:
      if (!error) return `App Platform says deployment ${n.id} cannot be rolled back to, without saying why.`;
      return `App Platform refuses to roll back to ${n.id}: ${escapeText(error.message)}${components(error.components)}`;
  }
}

function warningText(warning: RollbackValidation['warnings'][number], n: Names): string {
  const subject = warning.components?.length ? escapeText(warning.components.join(', ')) : 'Some components';
  switch (warning.code) {
    case 'image_source_missing_digest':
      return (
        `${subject} ${warning.components?.length === 1 ? 'uses' : 'use'} an image tag, not a digest: the rollback ` +
        `pulls whatever the tag points at now, which may not be the image deployment ${n.id} ran. ` +
        'Deploy by digest to make rollbacks exact.'
      );
    default:
      return `${escapeText(warning.message)}${components(warning.components)}`;
  }
}

function components(list: string[] | undefined): string {
  return list?.length ? ` (components: ${escapeText(list.join(', '))})` : '';
}
