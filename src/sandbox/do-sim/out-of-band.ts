/**
 * Deployments that someone starts outside dockside: a `git push` to a branch an app
 * deploys on push, or a person in the control panel or doctl. Each carries `cause` and
 * `cause_details` as DigitalOcean sends them (godo's DeploymentCauseDetails; the
 * OpenAPI description has only the free-text `cause`).
 */
import type { AppPlatformSim } from './app-platform.js';
import { newSha } from './git-history.js';
import { gitSourceOf, type SimApp, type SimCauseDetails, type SimDeployment, SimHttpError } from './types.js';

export interface OutOfBandInput {
  /** `push`: a commit pushed to the app's branch (as deploy_on_push would deploy it); `console`: a person's "Deploy" click or `doctl apps create-deployment`. */
  via: 'push' | 'console';
  /** Commit author (push) or the person's name (console). */
  author?: string;
  email?: string;
  message?: string;
  /** The deployment fails (in BUILDING unless said) or, with `cancel`, is canceled. */
  fail?: boolean;
}

/** The details DigitalOcean gives a deployment a person asked for in the control panel, doctl or the API. */
export function manualCause(user?: { name?: string; email?: string }): SimCauseDetails {
  return {
    type: 'MANUAL',
    digitalocean_user_action: {
      name: 'CREATE_DEPLOYMENT',
      ...(user?.name || user?.email
        ? {
            user: {
              ...(user.email ? { email: user.email } : {}),
              ...(user.name ? { full_name: user.name } : {}),
            },
          }
        : {}),
    },
  };
}

export function startOutOfBand(platform: AppPlatformSim, app: SimApp, input: OutOfBandInput): SimDeployment {
  if (app.pinnedId) {
    // App Platform starts nothing, on push or by hand, while a rollback pins the app.
    throw new SimHttpError(409, 'conflict', `app is pinned to rollback deployment ${app.pinnedId}`);
  }
  if (input.fail) platform.failNext(app, { kind: 'error' });
  if (input.via === 'console') {
    return platform.start(app, {
      cause: 'manual',
      causeDetails: manualCause({
        ...(input.author ? { name: input.author } : {}),
        ...(input.email ? { email: input.email } : {}),
      }),
    });
  }
  const source = [...(app.spec.services ?? []), ...(app.spec.workers ?? [])]
    .map((c) => gitSourceOf(c))
    .find((g) => g !== undefined);
  if (!source) throw new SimHttpError(400, 'bad_request', `app ${app.id} has no git component to push to`);
  const previous = platform.head(source.repo, source.branch);
  const sha = newSha();
  const message = input.message ?? `Change ${sha.slice(0, 7)}`;
  platform.recordCommit(source.repo, { sha, parents: [previous], message });
  platform.heads.set(`${source.repo}#${source.branch}`, sha);
  return platform.start(app, {
    cause: `commit ${sha.slice(0, 7)} pushed to github.com/${source.repo}/tree/${source.branch}`,
    causeDetails: {
      type: 'DEPLOY_ON_PUSH',
      git_push: {
        github: { repo: source.repo, branch: source.branch, deploy_on_push: true },
        commit_sha: sha,
        commit_message: message,
        ...(input.author ? { commit_author: input.author, username: input.author } : {}),
      },
    },
  });
}
