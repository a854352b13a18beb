import type { App, CauseDetails, Deployment, DeploymentPhase } from '../../src/do/port.js';

let n = 0;
/** A deployment as the DoClient returns it; ids are unique per call. */
export function dep(
  phase: DeploymentPhase,
  createdAt: string,
  extra: { id?: string; cause?: string; causeDetails?: CauseDetails } = {},
): Deployment {
  n += 1;
  return {
    id: extra.id ?? `dep-${n}`,
    phase,
    cause: extra.cause ?? 'manual',
    createdAt,
    updatedAt: createdAt,
    progress: { successSteps: 0, totalSteps: 4, errorSteps: 0, steps: [] },
    components: [],
    ...(extra.causeDetails ? { causeDetails: extra.causeDetails } : {}),
  };
}

/** An app as GET /v2/apps lists it. */
export function appOf(
  id: string,
  parts: { active?: Deployment; inProgress?: Deployment; pending?: Deployment; last?: string },
): App {
  return {
    id,
    name: id,
    spec: { name: id },
    ...(parts.active ? { activeDeployment: parts.active } : {}),
    ...(parts.inProgress ? { inProgressDeployment: parts.inProgress } : {}),
    ...(parts.pending ? { pendingDeployment: parts.pending } : {}),
    ...(parts.last ? { lastDeploymentCreatedAt: parts.last } : {}),
  };
}

export const T = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute)).toISOString();
