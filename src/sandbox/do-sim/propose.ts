/**
 * `POST /v2/apps/propose` (`apps_validate_appSpec`): checks a spec (as an update of
 * `app_id` when given) and prices it, changing nothing. Prices are USD per instance
 * and month, close to App Platform's list; an unknown size is refused as DO does.
 */
import type { AppSpec, ComponentSpec } from '../../do/port.js';
import type { AppPlatformSim } from './app-platform.js';
import { componentsOf, SimHttpError } from './types.js';

const MONTHLY_USD: Record<string, number> = {
  'basic-xxs': 5,
  'basic-xs': 10,
  'basic-s': 20,
  'basic-m': 40,
  'professional-xs': 12,
  'professional-s': 25,
  'professional-m': 50,
  'professional-1l': 75,
  'professional-l': 100,
  'professional-xl': 150,
  'apps-s-1vcpu-0.5gb': 5,
  'apps-s-1vcpu-1gb-fixed': 10,
  'apps-s-1vcpu-1gb': 12,
  'apps-s-1vcpu-2gb': 25,
  'apps-s-2vcpu-4gb': 50,
  'apps-d-1vcpu-4gb': 49,
};
const DEFAULT_SIZE = 'apps-s-1vcpu-0.5gb';
const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

function cost(component: ComponentSpec): number {
  const size = typeof component.instance_size_slug === 'string' ? component.instance_size_slug : DEFAULT_SIZE;
  const price = MONTHLY_USD[size];
  if (price === undefined) {
    throw new SimHttpError(400, 'bad_request', `${component.name}: unknown instance_size_slug ${size}`);
  }
  const count = typeof component.instance_count === 'number' ? component.instance_count : 1;
  return price * count;
}

export function propose(platform: AppPlatformSim, body: Record<string, unknown>) {
  const spec = body.spec as AppSpec | undefined;
  if (!spec || typeof spec.name !== 'string' || !NAME.test(spec.name)) {
    throw new SimHttpError(400, 'bad_request', 'spec.name is required and must be a valid app name');
  }
  const appId = typeof body.app_id === 'string' ? body.app_id : undefined;
  if (appId) platform.app(appId);
  for (const c of componentsOf(spec)) {
    if (typeof c.name !== 'string' || !NAME.test(c.name)) {
      throw new SimHttpError(400, 'bad_request', `component name ${String(c.name)} is invalid`);
    }
  }
  const running = [...(spec.services ?? []), ...(spec.workers ?? [])];
  const taken = [...platform.apps.values()].some((a) => a.spec.name === spec.name && a.id !== appId);
  return {
    app_name_available: !taken,
    app_is_static: running.length === 0,
    existing_static_apps: '0',
    spec,
    app_cost: running.reduce((sum, c) => sum + cost(c), 0),
  };
}
