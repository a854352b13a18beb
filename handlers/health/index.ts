export { AlertTracker, processPoll, type Transition } from './alerts.js';
export { checkEnv, type EnvTarget } from './check-env.js';
export { checkHealthUrl, checkStatusUrl } from './http-check.js';
export { createHealthService, envTargets, type HealthService } from './service.js';
export {
  buildSummary,
  gatherSummary,
  needsAPerson,
  type SummaryDeps,
  type SummaryInputs,
} from './summary.js';
export type { EnvHealth, HealthDeps, HealthReport, HealthState } from './types.js';
