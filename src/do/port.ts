/**
 * What dockside needs from DigitalOcean, as plain typed data. Handlers depend on this
 * interface only; `src/do/client.ts` implements it on dots-wrapper (plus the endpoints
 * dots-wrapper lacks), and tests/sandbox point it at the simulator.
 * Only the fields dockside uses are modelled.
 */

export const DEPLOYMENT_PHASES = [
  'UNKNOWN',
  'PENDING_BUILD',
  'BUILDING',
  'PENDING_DEPLOY',
  'DEPLOYING',
  'ACTIVE',
  'SUPERSEDED',
  'ERROR',
  'CANCELED',
] as const;
export type DeploymentPhase = (typeof DEPLOYMENT_PHASES)[number];

export const TERMINAL_PHASES: ReadonlySet<DeploymentPhase> = new Set([
  'ACTIVE',
  'SUPERSEDED',
  'ERROR',
  'CANCELED',
]);

export interface DeploymentStep {
  name: string;
  status: string;
  reason?: { code?: string; message?: string };
}

export interface DeploymentComponent {
  name: string;
  /** Git components: the commit this deployment built. */
  sourceCommitHash?: string;
}

export interface Deployment {
  id: string;
  phase: DeploymentPhase;
  cause: string;
  createdAt: string;
  updatedAt: string;
  progress: { successSteps: number; totalSteps: number; errorSteps: number; steps: DeploymentStep[] };
  components: DeploymentComponent[];
  /** The app spec this deployment ran (used for image digests and promotion). */
  spec?: AppSpec;
  /** Who or what made it (DigitalOcean's `cause_details`, as godo models it); absent on older answers. */
  causeDetails?: CauseDetails;
}

/**
 * `cause_details` of a deployment. DigitalOcean's OpenAPI description has only the free
 * text `cause`; the structured field is in its API answers and in godo
 * (`DeploymentCauseDetails`): `type` MANUAL, DEPLOY_ON_PUSH, MAINTENANCE, MANUAL_ROLLBACK,
 * AUTO_ROLLBACK, UPDATE_DATABASE_TRUSTED_SOURCES, AUTOSCALED.
 */
export interface CauseDetails {
  type?: string;
  /** A person's action in the control panel, doctl or the API (`name` such as CREATE_DEPLOYMENT). */
  digitaloceanUserAction?: { name?: string; user?: { email?: string; fullName?: string } };
  gitPush?: {
    repo?: string;
    branch?: string;
    username?: string;
    commitAuthor?: string;
    commitSha?: string;
    commitMessage?: string;
  };
  docrPush?: { registry?: string; repository?: string; tag?: string; imageDigest?: string };
  internal?: boolean;
  autoscaled?: boolean;
}

/** Image source of a component: at most one of tag or digest; the spec requires no field. */
export interface ImageSource {
  registry_type?: string;
  registry?: string;
  repository?: string;
  tag?: string;
  digest?: string;
  /** Autodeploy on a new push of the tag; App Platform accepts it only with a tag. */
  deploy_on_push?: { enabled?: boolean };
  [key: string]: unknown;
}

export interface GitSource {
  repo_clone_url?: string;
  repo?: string;
  branch?: string;
  deploy_on_push?: boolean;
}

export interface ComponentSpec {
  name: string;
  image?: ImageSource;
  github?: GitSource;
  gitlab?: GitSource;
  bitbucket?: GitSource;
  git?: GitSource;
  [key: string]: unknown;
}

/** App spec: kept as the API returns it so that a PUT sends back everything unchanged. */
export interface AppSpec {
  name: string;
  services?: ComponentSpec[];
  workers?: ComponentSpec[];
  jobs?: ComponentSpec[];
  static_sites?: ComponentSpec[];
  [key: string]: unknown;
}

export interface App {
  id: string;
  name: string;
  spec: AppSpec;
  liveUrl?: string;
  activeDeployment?: Deployment;
  inProgressDeployment?: Deployment;
  pendingDeployment?: Deployment;
  pinnedDeployment?: Deployment;
  /** When the app's newest deployment was created: changes whenever any deployment starts. */
  lastDeploymentCreatedAt?: string;
}

export interface RollbackValidation {
  valid: boolean;
  error?: { code: string; message: string; components?: string[] };
  warnings: Array<{ code: string; message: string; components?: string[] }>;
}

export interface ComponentHealth {
  name: string;
  state: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  replicasDesired?: number;
  replicasReady?: number;
  cpuUsagePercent?: number;
  memoryUsagePercent?: number;
}

export interface ManagedBackup {
  createdAt: string;
  sizeGigabytes: number;
}

export interface DatabaseCluster {
  id: string;
  name: string;
  engine: string;
  version: string;
  region: string;
  size: string;
  numNodes: number;
  /** Extra storage beyond the size's default; a restore must get at least as much. */
  storageSizeMib?: number;
  status: string;
  privateNetworkUuid?: string;
  projectId?: string;
}

export interface RestoreRequest {
  sourceClusterId: string;
  /** Name of the NEW cluster that the backup is restored into. */
  newClusterName: string;
  backupCreatedAt: string;
}

export interface DoClient {
  getApp(appId: string): Promise<App>;
  listDeployments(appId: string, options?: { perPage?: number }): Promise<Deployment[]>;
  getDeployment(appId: string, deploymentId: string): Promise<Deployment>;
  /** Creates: never retried. */
  createDeployment(appId: string, options?: { forceBuild?: boolean }): Promise<Deployment>;
  cancelDeployment(appId: string, deploymentId: string): Promise<Deployment>;
  /** PUT /v2/apps/{id} with the full spec; creates a deployment on DO's side, so never retried. */
  updateAppSpec(appId: string, spec: AppSpec, options?: { updateAllSourceVersions?: boolean }): Promise<App>;
  validateRollback(
    appId: string,
    deploymentId: string,
    options?: { skipPin?: boolean },
  ): Promise<RollbackValidation>;
  /** Creates: never retried. Returns the rollback deployment. */
  rollback(appId: string, deploymentId: string, options?: { skipPin?: boolean }): Promise<Deployment>;
  commitRollback(appId: string): Promise<void>;
  /** Creates a deployment from the pre-rollback spec: never retried. */
  revertRollback(appId: string): Promise<Deployment>;
  getAppHealth(appId: string): Promise<ComponentHealth[]>;
  getDatabaseCluster(clusterId: string): Promise<DatabaseCluster>;
  listDatabaseBackups(clusterId: string): Promise<ManagedBackup[]>;
  /** Creates a NEW cluster from a backup (POST /v2/databases with backup_restore): never retried. */
  restoreDatabaseBackup(request: RestoreRequest): Promise<DatabaseCluster>;
}

/** Link to a deployment in the DigitalOcean control panel. */
export function deploymentConsoleUrl(appId: string, deploymentId: string): string {
  return `https://cloud.digitalocean.com/apps/${appId}/deployments/${deploymentId}`;
}
