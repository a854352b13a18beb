import { describe, expect, it } from 'vitest';
import { routeTemplate } from '../../src/do/route.js';

describe('routeTemplate', () => {
  it.each([
    ['/v2/apps/6f0e2b1c', '/v2/apps/:id'],
    ['/v2/apps/6f0e2b1c/deployments/dep-1/cancel', '/v2/apps/:id/deployments/:deploymentId/cancel'],
    ['/v2/apps/6f0e2b1c/rollback/commit', '/v2/apps/:id/rollback/commit'],
    ['/v2/apps/6f0e2b1c/health', '/v2/apps/:id/health'],
    ['/v2/databases/1c2d/backups?page=1', '/v2/databases/:id/backups'],
    ['/v2/databases', '/v2/databases'],
  ])('keeps ids out of metric labels: %s', (path, route) => {
    expect(routeTemplate(path)).toBe(route);
  });
});
