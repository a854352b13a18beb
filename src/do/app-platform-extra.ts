/**
 * The DigitalOcean endpoints dockside needs that dots-wrapper 3.12 lacks or gets
 * wrong, written the way dots-wrapper writes its own: `(context) => (request) =>
 * httpClient call`, so they run on the same axios instance as the library's methods.
 * Bodies are DO's snake_case; parsing is the client's job.
 */
import type { AxiosInstance, AxiosResponse } from 'axios';
import type { AppSpec } from './port.js';

/** The context dots-wrapper's module factories take (its `IContext`). */
export interface DoContext {
  endpoint: string;
  httpClient: AxiosInstance;
}

type Call<Request> = (request: Request) => Promise<AxiosResponse<unknown>>;

export interface RollbackApiRequest {
  app_id: string;
  deployment_id: string;
  skip_pin?: boolean;
}

/** dots-wrapper's `updateApp` sends only `spec`; promotion needs `update_all_source_versions`. */
export const updateAppSpec =
  ({
    httpClient,
  }: DoContext): Call<{ app_id: string; spec: AppSpec; update_all_source_versions?: boolean }> =>
  ({ app_id, spec, update_all_source_versions }) =>
    httpClient.put(`/apps/${app_id}`, { spec, update_all_source_versions });

export const validateAppRollback =
  ({ httpClient }: DoContext): Call<RollbackApiRequest> =>
  ({ app_id, deployment_id, skip_pin }) =>
    httpClient.post(`/apps/${app_id}/rollback/validate`, { deployment_id, skip_pin });

export const rollbackApp =
  ({ httpClient }: DoContext): Call<RollbackApiRequest> =>
  ({ app_id, deployment_id, skip_pin }) =>
    httpClient.post(`/apps/${app_id}/rollback`, { deployment_id, skip_pin });

export const commitAppRollback =
  ({ httpClient }: DoContext): Call<{ app_id: string }> =>
  ({ app_id }) =>
    httpClient.post(`/apps/${app_id}/rollback/commit`, {});

export const revertAppRollback =
  ({ httpClient }: DoContext): Call<{ app_id: string }> =>
  ({ app_id }) =>
    httpClient.post(`/apps/${app_id}/rollback/revert`, {});

export const getAppHealth =
  ({ httpClient }: DoContext): Call<{ app_id: string }> =>
  ({ app_id }) =>
    httpClient.get(`/apps/${app_id}/health`);

export interface RestoreDatabaseApiRequest {
  name: string;
  engine: string;
  version?: string;
  region: string;
  size: string;
  num_nodes: number;
  /** The source's extra storage: a smaller new cluster cannot hold its data, and the restore fails. */
  storage_size_mib?: number;
  private_network_uuid?: string;
  project_id?: string;
  tags?: string[];
  /** DO's field is `backup_created_at`; dots-wrapper types it as `created_at`, which DO ignores. */
  backup_restore: { database_name: string; backup_created_at: string };
}

export const restoreDatabaseBackup =
  ({ httpClient }: DoContext): Call<RestoreDatabaseApiRequest> =>
  (request) =>
    httpClient.post('/databases', request);
