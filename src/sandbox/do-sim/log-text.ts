/**
 * What a simulated App Platform log says, made from the deployment: its commit, phases,
 * and why it failed. Lines come without the `component timestamp` prefix logs.ts adds.
 */
import { componentsOf, type SimDeployment } from './types.js';

export const LIVE = new Set(['PENDING_BUILD', 'BUILDING', 'PENDING_DEPLOY', 'DEPLOYING']);

export const reached = (dep: SimDeployment, phase: 'DEPLOYING' | 'ACTIVE') => {
  const order = ['PENDING_BUILD', 'BUILDING', 'PENDING_DEPLOY', 'DEPLOYING', 'ACTIVE'];
  const at = dep.phase === 'ERROR' || dep.phase === 'CANCELED' ? (dep.stoppedIn ?? 'BUILDING') : dep.phase;
  return order.indexOf(at === 'SUPERSEDED' ? 'ACTIVE' : at) >= order.indexOf(phase);
};

/** Log lines of one component, without the `component timestamp` prefix. */
export function generate(dep: SimDeployment, component: string, type: string): string[] {
  const spec = componentsOf(dep.spec).find((c) => c.name === component);
  const failed =
    dep.phase === 'ERROR' && dep.failure?.component === component
      ? dep.failure
      : type === 'JOB_INVOCATION' && dep.failedJobs?.includes(component)
        ? { component, reason: { code: 'JobFailed', message: `job ${component} exited with code 1` } }
        : undefined;
  const inBuild = failed && (dep.stoppedIn === 'BUILDING' || dep.stoppedIn === 'PENDING_BUILD');
  const commit = dep.commits[component]?.slice(0, 7);
  switch (type) {
    case 'BUILD': {
      const source = spec?.image
        ? [
            `=> Pulling image ${spec.image.repository}${spec.image.digest ? `@${spec.image.digest}` : `:${spec.image.tag ?? 'latest'}`}`,
          ]
        : [
            `=> Cloning repository at ${commit ?? 'HEAD'}`,
            '=> Installing dependencies: npm ci',
            'added 412 packages in 9s',
          ];
      const build = String(spec?.build_command ?? 'npm run build');
      if (inBuild && failed) {
        return [
          ...source,
          `=> Running build command: ${build}`,
          'src/pricing.ts(42,7): error TS2322: Type "string" is not assignable to type "number".',
          'npm ERR! code 1',
          `npm ERR! command failed: ${build}`,
          `ERROR: failed to build: ${failed.reason.message}`,
        ];
      }
      if (!reached(dep, 'DEPLOYING') && LIVE.has(dep.phase))
        return [...source, `=> Running build command: ${build}`];
      return [
        ...source,
        `=> Running build command: ${build}`,
        'built in 14.2s',
        '=> Build complete, image uploaded',
      ];
    }
    case 'DEPLOY': {
      if (!reached(dep, 'DEPLOYING')) return [];
      const start = ['=> Starting container', `> ${String(spec?.run_command ?? 'npm start')}`];
      if (failed && !inBuild) {
        return [
          ...start,
          'Error: connect ECONNREFUSED 10.110.0.4:25060',
          `ERROR: ${failed.reason.message}`,
          '=> Deployment failed; the previous deployment keeps serving',
        ];
      }
      if (!reached(dep, 'ACTIVE')) return start;
      return [
        ...start,
        'Server listening on :8080',
        'Health check passed: GET /health 200',
        '=> Deployment live',
      ];
    }
    case 'RUN':
      if (!reached(dep, 'ACTIVE') || dep.phase === 'ERROR') return [];
      return [
        'Server listening on :8080',
        'connected to database postgres://app:sim-db-secret@main-pg-do-user-1.db.ondigitalocean.com:25060/app?sslmode=require',
        'GET /health 200 3ms',
        'GET /api/orders 200 41ms',
        'WARN slow query on orders (812ms)',
        'GET /api/cart 200 18ms',
      ];
    case 'RUN_RESTARTED':
      return [];
    case 'JOB_INVOCATION':
      return failed
        ? ['Running migrations', `ERROR: ${failed.reason.message}`]
        : ['Running migrations', 'Applied 2 migrations in 0.4s'];
    default:
      return [];
  }
}
