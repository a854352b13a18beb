import * as extra from './app-ops-extra.js';
import type { AppOpsClient } from './app-ops-port.js';
import { JobInvocationsResponse, LogsResponse, ProposeResponse } from './app-ops-schema.js';
import { type ReadLogOptions, readLogText } from './archived-log.js';
import { callFor, createDoContext, type DoClientOptions } from './context.js';
import { DeploymentResponse } from './schema.js';

/** AppOpsClient on the same kind of context as the DoClient (token, retries of reads, metrics). */
export function createAppOpsClient(
  options: DoClientOptions & { logs?: Omit<ReadLogOptions, 'maxBytes'> },
): AppOpsClient {
  const { context, clock } = createDoContext(options);
  const call = callFor(clock);
  const api = {
    getAppLogs: extra.getAppLogs(context),
    listJobInvocations: extra.listJobInvocations(context),
    getJobInvocationLogs: extra.getJobInvocationLogs(context),
    restartApp: extra.restartApp(context),
    proposeApp: extra.proposeApp(context),
  };
  return {
    getLogLinks(request) {
      const of = [
        request.component ? `component ${request.component}` : 'all components',
        request.deploymentId ? `deployment ${request.deploymentId}` : 'the active deployment',
      ].join(' of ');
      return call(
        {
          thing: request.deploymentId
            ? `Deployment ${request.deploymentId} of app ${request.appId}`
            : `App ${request.appId} (or its ${request.component ? `component ${request.component}` : 'active deployment'})`,
          action: `read the ${request.type} logs of ${of} of app ${request.appId}`,
        },
        LogsResponse,
        () =>
          api.getAppLogs({
            app_id: request.appId,
            type: request.type,
            ...(request.deploymentId ? { deployment_id: request.deploymentId } : {}),
            ...(request.component ? { component_name: request.component } : {}),
            ...(request.tailLines ? { tail_lines: request.tailLines } : {}),
          }),
      );
    },
    listJobInvocations(appId, opts = {}) {
      return call(
        { thing: `App ${appId}`, action: `list the job invocations of app ${appId}` },
        JobInvocationsResponse,
        () =>
          api.listJobInvocations({
            app_id: appId,
            ...(opts.deploymentId ? { deployment_id: opts.deploymentId } : {}),
            ...(opts.jobNames ? { job_names: opts.jobNames } : {}),
          }),
      );
    },
    getJobInvocationLogLinks(appId, jobName, invocationId, opts = {}) {
      return call(
        {
          thing: `Invocation ${invocationId} of job ${jobName} of app ${appId}`,
          action: `read the logs of invocation ${invocationId} of job ${jobName} of app ${appId}`,
        },
        LogsResponse,
        () =>
          api.getJobInvocationLogs({
            app_id: appId,
            job_name: jobName,
            job_invocation_id: invocationId,
            ...(opts.deploymentId ? { deployment_id: opts.deploymentId } : {}),
            ...(opts.tailLines ? { tail_lines: opts.tailLines } : {}),
          }),
      );
    },
    async restart(appId, components) {
      const which = components?.length ? components.join(', ') : 'every component';
      const res = await call(
        { thing: `App ${appId}`, action: `restart ${which} of app ${appId}` },
        DeploymentResponse,
        () => api.restartApp({ app_id: appId, ...(components?.length ? { components } : {}) }),
      );
      return res.deployment;
    },
    propose(spec, appId) {
      return call(
        {
          thing: appId ? `App ${appId}` : 'The proposed app',
          action: `price the spec ${appId ? `update of app ${appId}` : `of ${spec.name}`}`,
        },
        ProposeResponse,
        () => api.proposeApp({ spec, ...(appId ? { app_id: appId } : {}) }),
      );
    },
    readLog(links, opts = {}) {
      return readLogText(links, { ...options.logs, ...opts });
    },
  };
}
