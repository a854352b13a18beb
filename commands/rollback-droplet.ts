import type { DeployTargets } from '../handlers/deploy/targets.js';
import { listDropletReleases, RELEASE_ID } from '../handlers/droplet/rollback-list.js';
import type { Clock } from '../src/clock.js';
import { DocksideError } from '../src/errors.js';
import type { LockStore } from '../src/locks/types.js';
import { dropletReleaseList } from '../src/render/droplet-releases.js';
import { typed } from './args.js';
import type { CommandContext, CommandOutcome } from './types.js';

/** `/rollback api production [release-id]` on a Droplet env. */
export interface DropletRollbackArgs {
  droplets: true;
  target: { app: string; env: string };
  approval: boolean;
  /** Absent: list the release log to pick from. */
  releaseId?: string;
  /** Set by a list's button: the release the hosts ran when the list was shown, and when. */
  fromList?: { activeId: string; at: number };
}

export interface DropletRollbackDeps {
  targets: Pick<DeployTargets, 'get'>;
  locks: Pick<LockStore, 'get'>;
  clock: Clock;
}

/** The third word: a release id of the log. `commit`/`revert` are App Platform's pins, which Droplets have none of. */
export function parseDropletRollback(input: {
  app: string;
  env: string;
  approval: boolean;
  third?: string;
  fromList?: { activeId: string; at: number };
}): DropletRollbackArgs {
  const { app, env, third } = input;
  if (third === 'commit' || third === 'revert') {
    throw new DocksideError(
      'usage',
      `${app} ${env} runs on Droplets, where a rollback is a release like any other: there is no pin to ${third}.`,
      {
        hint: `To go forward again, \`/rollback ${app} ${env}\` and pick the newer release, or \`/deploy ${app} ${env}\`.`,
      },
    );
  }
  if (third !== undefined && !RELEASE_ID.test(third)) {
    throw new DocksideError(
      'usage',
      `${typed(third)} is not a release id (they look like \`r20261130T122530-ab12\`).`,
      {
        hint: `Run \`/rollback ${app} ${env}\` to pick one from the list.`,
      },
    );
  }
  return {
    droplets: true,
    target: { app, env },
    approval: input.approval,
    ...(third ? { releaseId: third } : {}),
    ...(input.fromList ? { fromList: input.fromList } : {}),
  };
}

/** A list token names a release id or `none`; anything else would not survive a click. */
const LIST_STATE = /^[0-9a-z-]{1,64}$/i;

/** The release log to pick from, with a button per release that can be gone back to. */
export async function listReleasesToPick(
  deps: DropletRollbackDeps,
  ctx: CommandContext,
  args: DropletRollbackArgs,
  ttlMs: number,
): Promise<CommandOutcome> {
  const { app, env } = args.target;
  const [list, lock] = await Promise.all([
    listDropletReleases(deps.targets.get(app, env)),
    deps.locks.get(app, env),
  ]);
  const state = list.currentId && LIST_STATE.test(list.currentId) ? list.currentId : undefined;
  await ctx.reply.ephemeral(
    dropletReleaseList({
      app,
      env,
      list,
      approval: args.approval,
      lock,
      ttlMs,
      now: deps.clock.now(),
      ...(state ? { token: `--list ${state}@${deps.clock.now()}` } : {}),
    }),
  );
  return { result: 'succeeded', detail: 'listed releases' };
}
