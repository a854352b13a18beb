import type { ApprovalService } from '../approvals/service.js';
import type { ActionRequest } from '../handlers/deploy/actions.js';
import type { DeployTargets } from '../handlers/deploy/targets.js';
import { needsApproval } from '../src/config/load.js';
import { usageError } from '../src/errors.js';
import { assertTag } from '../src/registry/image.js';
import { noExtraWords, resolveEnv, tokenize, typed } from './args.js';
import { carryOut } from './carry-out.js';
import type { CommandDef } from './types.js';

const USAGE = '/deploy <app> <env> [--force-build]';
const DROPLET_USAGE = '/deploy <app> <env> [tag]  (Droplet envs: images by tag, default latest)';

export interface AppPlatformDeployArgs {
  target: 'app_platform';
  app: string;
  env: string;
  forceBuild: boolean;
  approval: boolean;
}

export interface DropletDeployArgs {
  target: 'droplets';
  app: string;
  env: string;
  /** Validated against Docker's tag grammar: nothing else reaches the registry or a host. */
  tag: string;
  approval: boolean;
}

export type DeployArgs = AppPlatformDeployArgs | DropletDeployArgs;

export interface DeployCommandDeps {
  approvals: Pick<ApprovalService, 'request'>;
  targets: Pick<DeployTargets, 'get'>;
}

function parseDropletTag(word: string | undefined): string {
  if (word === undefined) return 'latest';
  try {
    return assertTag(word);
  } catch {
    throw usageError(
      `${typed(word.slice(0, 60))} is not an image tag: letters, digits, "_", "." and "-" (at most 128), e.g. \`v1.4.2\`.`,
      DROPLET_USAGE,
    );
  }
}

export function deployCommand(deps: DeployCommandDeps): CommandDef<DeployArgs> {
  return {
    name: 'deploy',
    usage: [USAGE, DROPLET_USAGE],
    summary: 'Deploy an app env (production waits for approval)',
    audited: true,
    parse(text, config) {
      const { words, flags } = tokenize(text, { boolFlags: ['force-build'], usage: USAGE });
      const { app, env, envConfig } = resolveEnv(config, words[0], words[1], USAGE);
      if (envConfig.droplets) {
        noExtraWords(words, 3, DROPLET_USAGE);
        if (flags.has('force-build')) {
          throw usageError(
            `\`--force-build\` is for App Platform envs; ${app} ${env} runs images from a registry, by tag.`,
            DROPLET_USAGE,
          );
        }
        return {
          target: 'droplets',
          app,
          env,
          tag: parseDropletTag(words[2]),
          approval: needsApproval(env, envConfig),
        };
      }
      noExtraWords(words, 2, USAGE);
      return {
        target: 'app_platform',
        app,
        env,
        forceBuild: flags.has('force-build'),
        approval: needsApproval(env, envConfig),
      };
    },
    access: (args) => ({ action: 'deploy', app: args.app, env: args.env }),
    target: (args) => ({ app: args.app, env: args.env }),
    async run(ctx, args) {
      const request: ActionRequest =
        args.target === 'droplets'
          ? { kind: 'deploy', tag: args.tag }
          : { kind: 'deploy', forceBuild: args.forceBuild };
      return carryOut(ctx, deps.approvals, deps.targets.get(args.app, args.env), request, args.approval);
    },
  };
}
