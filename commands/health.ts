import type { HealthService } from '../handlers/health/service.js';
import { type Clock, systemClock } from '../src/clock.js';
import { usageError } from '../src/errors.js';
import { own } from '../src/own.js';
import { renderHealthReport } from '../src/render/health.js';
import { typed } from './args.js';
import type { CommandDef } from './types.js';

export interface HealthArgs {
  app?: string;
}

export interface HealthCommandDeps {
  health: Pick<HealthService, 'report'>;
  clock?: Clock;
}

const USAGE = '/health [app]';

export function createHealthCommand(deps: HealthCommandDeps): CommandDef<HealthArgs> {
  const clock = deps.clock ?? systemClock;
  return {
    name: 'health',
    usage: [USAGE],
    summary: 'health of every app env now: deployment or Droplet hosts, health URL, databases, locks',
    audited: false,
    parse(text, config) {
      const [app, ...extra] = text.trim().split(/\s+/).filter(Boolean);
      if (extra.length > 0) throw usageError('Name at most one app.', USAGE);
      if (app && !own(config.apps, app)) {
        const known = Object.keys(config.apps).join(', ') || 'none configured';
        throw usageError(`There is no app ${typed(app)} (known: ${known}).`, USAGE);
      }
      return app ? { app } : {};
    },
    access: () => null,
    target: (args) => (args.app ? { app: args.app } : {}),
    async run(ctx, args) {
      const report = await deps.health.report(args.app);
      await ctx.reply.ephemeral(renderHealthReport(report, clock.now()));
      const bad = report.envs.filter((e) => e.state === 'bad').length;
      return { result: 'succeeded', detail: `${report.envs.length} envs, ${bad} unhealthy` };
    },
  };
}
