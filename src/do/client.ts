import { modules } from 'dots-wrapper';
import * as extra from './app-platform-extra.js';
import { callFor, createDoContext, type DoClientOptions } from './context.js';
import { BackupsResponse, DatabaseResponse } from './database-schema.js';
import type { CallSubject } from './errors.js';
import type { DoCallInfo, RetryPolicy } from './http.js';
import type { DoClient } from './port.js';
import {
  AnyBody,
  AppHealthResponse,
  AppResponse,
  DeploymentResponse,
  DeploymentsResponse,
  RollbackValidationResponse,
} from './schema.js';

export type { DoCallInfo, DoClientOptions, RetryPolicy };

type DotsContext = Parameters<typeof modules.app.getApp>[0];

export function createDoClient(options: DoClientOptions): DoClient {
  const { context, clock } = createDoContext(options);
  // Our own context instead of createApiClient: dots-wrapper's factories accept it,
  // so library and extra endpoints share one axios instance and its retry adapter.
  // Same axios at runtime, but dots-wrapper's CJS typings see axios's .d.cts and we
  // see its .d.ts, which TypeScript treats as unrelated types: bridge them once here.
  const dotsContext = context as unknown as DotsContext;
  const dots = {
    getApp: modules.app.getApp(dotsContext),
    listAppDeployments: modules.app.listAppDeployments(dotsContext),
    getAppDeployment: modules.app.getAppDeployment(dotsContext),
    createAppDeployment: modules.app.createAppDeployment(dotsContext),
    cancelAppDeployment: modules.app.cancelAppDeployment(dotsContext),
    getDatabaseCluster: modules.database.getDatabaseCluster(dotsContext),
    listDatabaseClusterBackups: modules.database.listDatabaseClusterBackups(dotsContext),
  };
  const ours = {
    updateAppSpec: extra.updateAppSpec(context),
    validateAppRollback: extra.validateAppRollback(context),
    rollbackApp: extra.rollbackApp(context),
    commitAppRollback: extra.commitAppRollback(context),
    revertAppRollback: extra.revertAppRollback(context),
    getAppHealth: extra.getAppHealth(context),
    restoreDatabaseBackup: extra.restoreDatabaseBackup(context),
  };

  const call = callFor(clock);

  const app = (appId: string, action: string): CallSubject => ({
    thing: `App ${appId}`,
    action: `${action} app ${appId}`,
  });
  const deployment = (appId: string, deploymentId: string, action: string): CallSubject => ({
    thing: `Deployment ${deploymentId} of app ${appId}`,
    action: `${action} deployment ${deploymentId} of app ${appId}`,
  });
  const cluster = (clusterId: string, action: string): CallSubject => ({
    thing: `Database cluster ${clusterId}`,
    action: `${action} database cluster ${clusterId}`,
  });

  return {
    async getApp(appId) {
      const res = await call(app(appId, 'read'), AppResponse, () => dots.getApp({ app_id: appId }));
      return res.app;
    },
    async listDeployments(appId, opts = {}) {
      const res = await call(app(appId, 'list the deployments of'), DeploymentsResponse, () =>
        dots.listAppDeployments({ app_id: appId, page: 1, per_page: Math.min(opts.perPage ?? 20, 200) }),
      );
      return res.deployments ?? [];
    },
    async getDeployment(appId, deploymentId) {
      const res = await call(deployment(appId, deploymentId, 'read'), DeploymentResponse, () =>
        dots.getAppDeployment({ app_id: appId, deployment_id: deploymentId }),
      );
      return res.deployment;
    },
    async createDeployment(appId, opts = {}) {
      const res = await call(app(appId, 'create a deployment of'), DeploymentResponse, () =>
        dots.createAppDeployment({ app_id: appId, force_build: opts.forceBuild ?? false }),
      );
      return res.deployment;
    },
    async cancelDeployment(appId, deploymentId) {
      const res = await call(deployment(appId, deploymentId, 'cancel'), DeploymentResponse, () =>
        dots.cancelAppDeployment({ app_id: appId, deployment_id: deploymentId }),
      );
      return res.deployment;
    },
    async updateAppSpec(appId, spec, opts = {}) {
      const res = await call(app(appId, 'update the spec of'), AppResponse, () =>
        ours.updateAppSpec({
          app_id: appId,
          spec,
          ...(opts.updateAllSourceVersions !== undefined
            ? { update_all_source_versions: opts.updateAllSourceVersions }
            : {}),
        }),
      );
      return res.app;
    },
    validateRollback(appId, deploymentId, opts = {}) {
      return call(deployment(appId, deploymentId, 'validate a rollback to'), RollbackValidationResponse, () =>
        ours.validateAppRollback({ app_id: appId, deployment_id: deploymentId, skip_pin: opts.skipPin }),
      );
    },
    async rollback(appId, deploymentId, opts = {}) {
      const res = await call(deployment(appId, deploymentId, 'roll back to'), DeploymentResponse, () =>
        ours.rollbackApp({ app_id: appId, deployment_id: deploymentId, skip_pin: opts.skipPin }),
      );
      return res.deployment;
    },
    async commitRollback(appId) {
      await call(app(appId, 'commit the rollback of'), AnyBody, () =>
        ours.commitAppRollback({ app_id: appId }),
      );
    },
    async revertRollback(appId) {
      const res = await call(app(appId, 'revert the rollback of'), DeploymentResponse, () =>
        ours.revertAppRollback({ app_id: appId }),
      );
      return res.deployment;
    },
    getAppHealth(appId) {
      return call(app(appId, 'read the component health of'), AppHealthResponse, () =>
        ours.getAppHealth({ app_id: appId }),
      );
    },
    async getDatabaseCluster(clusterId) {
      const res = await call(cluster(clusterId, 'read'), DatabaseResponse, () =>
        dots.getDatabaseCluster({ database_cluster_id: clusterId }),
      );
      return res.database;
    },
    listDatabaseBackups(clusterId) {
      return call(cluster(clusterId, 'list the backups of'), BackupsResponse, () =>
        dots.listDatabaseClusterBackups({ database_cluster_id: clusterId }),
      );
    },
    async restoreDatabaseBackup(request) {
      // The new cluster copies the source's shape; DO requires engine, size, region and nodes.
      const source = await this.getDatabaseCluster(request.sourceClusterId);
      const res = await call(
        {
          thing: `Backup of ${request.backupCreatedAt} of database cluster ${request.sourceClusterId}`,
          action: `restore the ${request.backupCreatedAt} backup of database cluster ${source.name} into a new cluster ${request.newClusterName}`,
        },
        DatabaseResponse,
        () =>
          ours.restoreDatabaseBackup({
            name: request.newClusterName,
            engine: source.engine,
            ...(source.version ? { version: source.version } : {}),
            region: source.region,
            size: source.size,
            num_nodes: source.numNodes,
            ...(source.storageSizeMib ? { storage_size_mib: source.storageSizeMib } : {}),
            ...(source.privateNetworkUuid ? { private_network_uuid: source.privateNetworkUuid } : {}),
            ...(source.projectId ? { project_id: source.projectId } : {}),
            backup_restore: { database_name: source.name, backup_created_at: request.backupCreatedAt },
          }),
      );
      return res.database;
    },
  };
}
