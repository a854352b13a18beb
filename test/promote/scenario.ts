import type { AppSpec } from '../../src/do/port.js';
import { DIGEST, deployment, FakeDo, fixedClock, gitService, imageWorker, SHA } from './fake-do.js';

export const GITHUB = 'https://github.test';
export const STAGING = { env: 'staging', appId: 'app-stg' };
export const PRODUCTION = { env: 'production', appId: 'app-prd' };
/** Staging went ACTIVE at 06:00; "now" is 09:12. */
export const clock = fixedClock('2026-11-22T09:12:30Z');

export function stagingSpec(worker: { tag?: string; digest?: string } = { digest: DIGEST.y }): AppSpec {
  return {
    name: 'web-staging',
    region: 'fra',
    services: [gitService('web', 'acme/web', 'main')],
    workers: [imageWorker('worker', worker)],
  };
}

export function productionSpec(worker: { tag?: string; digest?: string } = { digest: DIGEST.x }): AppSpec {
  return {
    name: 'web-production',
    region: 'fra',
    domains: [{ domain: 'example.com' }],
    services: [gitService('web', 'acme/web', 'production')],
    workers: [imageWorker('worker', worker)],
  };
}

/**
 * Staging runs web 9a4df0b + worker digest y; production runs web 1a2b3c4 + worker digest x,
 * unless told otherwise.
 */
export function world(
  options: {
    staging?: { web?: string; worker?: { tag?: string; digest?: string } };
    production?: {
      web?: string;
      worker?: { tag?: string; digest?: string; deploy_on_push?: { enabled: boolean } };
    };
  } = {},
) {
  const fake = new FakeDo();
  const sSpec = stagingSpec(options.staging?.worker);
  const pSpec = productionSpec(options.production?.worker);
  const stagingActive = deployment({
    at: '2026-11-22T06:00:00Z',
    spec: sSpec,
    commits: { web: options.staging?.web ?? SHA.b },
  });
  const productionActive = deployment({
    at: '2026-11-20T10:00:00Z',
    spec: pSpec,
    commits: { web: options.production?.web ?? SHA.a },
  });
  fake.addApp(STAGING.appId, sSpec, [stagingActive]);
  fake.addApp(PRODUCTION.appId, pSpec, [productionActive]);
  return { fake, stagingActive, productionActive };
}
