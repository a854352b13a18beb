/**
 * App Platform endpoints for logs, job invocations, restart and propose, which
 * dots-wrapper 3.12 lacks; same `(context) => (request) => call` shape as
 * app-platform-extra.ts. Paths and parameters follow DigitalOcean's OpenAPI
 * description (`apps_get_logs*`, `apps_list_job_invocations`,
 * `apps_get_job_invocation_logs`, `apps_restart`, `apps_validate_appSpec`).
 */
import type { AxiosResponse } from 'axios';
import type { DoContext } from './app-platform-extra.js';
import type { AppSpec } from './port.js';

type Call<Request> = (request: Request) => Promise<AxiosResponse<unknown>>;

const seg = encodeURIComponent;

/** App Platform may wait minutes for a pod before answering RUN logs; dockside answers in Slack time. */
const POD_CONNECTION_TIMEOUT = '5s';

export interface LogsApiRequest {
  app_id: string;
  type: string;
  deployment_id?: string;
  component_name?: string;
  tail_lines?: number;
}

/** The four logs endpoints: per deployment or the active one, per component or aggregate. */
export const getAppLogs =
  ({ httpClient }: DoContext): Call<LogsApiRequest> =>
  ({ app_id, type, deployment_id, component_name, tail_lines }) => {
    const deployment = deployment_id ? `/deployments/${seg(deployment_id)}` : '';
    const component = component_name ? `/components/${seg(component_name)}` : '';
    return httpClient.get(`/apps/${seg(app_id)}${deployment}${component}/logs`, {
      params: {
        type,
        follow: false,
        pod_connection_timeout: POD_CONNECTION_TIMEOUT,
        ...(tail_lines ? { tail_lines } : {}),
      },
    });
  };

export const listJobInvocations =
  ({
    httpClient,
  }: DoContext): Call<{ app_id: string; deployment_id?: string; job_names?: string[]; per_page?: number }> =>
  ({ app_id, deployment_id, job_names, per_page }) =>
    httpClient.get(`/apps/${seg(app_id)}/job-invocations`, {
      params: {
        ...(deployment_id ? { deployment_id } : {}),
        ...(job_names?.length ? { job_names } : {}),
        per_page: per_page ?? 50,
      },
      // `job_names=a&job_names=b` (OpenAPI's form style), not axios's `job_names[]=`.
      paramsSerializer: { indexes: null },
    });

export const getJobInvocationLogs =
  ({
    httpClient,
  }: DoContext): Call<{
    app_id: string;
    job_name: string;
    job_invocation_id: string;
    deployment_id?: string;
    tail_lines?: number;
  }> =>
  ({ app_id, job_name, job_invocation_id, deployment_id, tail_lines }) =>
    httpClient.get(`/apps/${seg(app_id)}/jobs/${seg(job_name)}/invocations/${seg(job_invocation_id)}/logs`, {
      params: {
        type: 'JOB_INVOCATION',
        follow: false,
        ...(deployment_id ? { deployment_id } : {}),
        ...(tail_lines ? { tail_lines } : {}),
      },
    });

export const restartApp =
  ({ httpClient }: DoContext): Call<{ app_id: string; components?: string[] }> =>
  ({ app_id, components }) =>
    httpClient.post(`/apps/${seg(app_id)}/restart`, components?.length ? { components } : {});

export const proposeApp =
  ({ httpClient }: DoContext): Call<{ spec: AppSpec; app_id?: string }> =>
  ({ spec, app_id }) =>
    httpClient.post('/apps/propose', { spec, ...(app_id ? { app_id } : {}) });
