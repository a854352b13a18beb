import type { EnvConfig } from '../src/config/schema.js';
import { DocksideError } from '../src/errors.js';

/** `/promote api` where both envs run on Droplets. */
export interface DropletPromoteArgs {
  droplets: true;
  app: string;
  from: { env: string };
  to: { env: string };
}

/**
 * Droplet args when both envs run on Droplets; undefined when both are App Platform apps.
 * One of each is refused: a digest on Droplets and an App Platform deployment are not the
 * same thing to compare or copy.
 */
export function parseDropletPromote(
  app: string,
  from: { env: string; config: EnvConfig | undefined },
  to: { env: string; config: EnvConfig | undefined },
): DropletPromoteArgs | undefined {
  const fromDroplets = Boolean(from.config?.droplets);
  const toDroplets = Boolean(to.config?.droplets);
  if (!fromDroplets && !toDroplets) return undefined;
  if (from.config && to.config && fromDroplets && toDroplets) {
    return { droplets: true, app, from: { env: from.env }, to: { env: to.env } };
  }
  const missing = !from.config ? from.env : !to.config ? to.env : undefined;
  if (missing) {
    throw new DocksideError(
      'promote_not_possible',
      `${app} has no env ${missing}, which its promotion names.`,
      {
        hint: `Fix apps.${app}.promote in dockside.yml.`,
      },
    );
  }
  const [droplets, platform] = fromDroplets ? [from.env, to.env] : [to.env, from.env];
  throw new DocksideError(
    'promote_not_possible',
    `${app} ${droplets} runs on Droplets and ${app} ${platform} on App Platform: /promote copies a release between envs of the same kind.`,
    { hint: `Deploy ${app} ${to.env} with \`/deploy\` instead.` },
  );
}
