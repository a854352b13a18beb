/**
 * Turns a concrete DigitalOcean API path into a route template such as
 * `/v2/apps/:id/deployments/:deploymentId`, so metrics have few label values and
 * ids never reach a metrics backend. Shared by the client and the simulator so
 * fault injection and metrics name routes the same way.
 */
const ID_AFTER: Record<string, string> = {
  apps: ':id',
  databases: ':id',
  deployments: ':deploymentId',
  components: ':component',
  load_balancers: ':id',
  'job-invocations': ':invocationId',
  jobs: ':job',
  invocations: ':invocationId',
};

/** Segments that are words of the API, never ids, even where an id could stand. */
const FIXED = new Set([
  'rollback',
  'validate',
  'commit',
  'revert',
  'health',
  'cancel',
  'restart',
  'backups',
  'logs',
  'propose',
]);

export function routeTemplate(path: string): string {
  const clean = path.split('?')[0] ?? '';
  const segments = clean.split('/');
  return segments
    .map((segment, i) => {
      const previous = i > 0 ? segments[i - 1] : undefined;
      if (previous === undefined || FIXED.has(segment)) return segment;
      return ID_AFTER[previous] ?? segment;
    })
    .join('/');
}
