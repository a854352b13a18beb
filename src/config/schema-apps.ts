import { z } from 'zod';
import { DropletsConfig } from './schema-droplets.js';
import { doId, httpUrl, name } from './schema-fields.js';
import { VerifyConfig } from './schema-verify.js';

/** The `apps` section of dockside.yml: apps and their environments (App Platform or Droplets). */

/** What the ops channel hears of deployments dockside did not start (handlers/announce/). */
export const ANNOUNCE_MODES = ['all', 'failures', 'off'] as const;
export type AnnounceMode = (typeof ANNOUNCE_MODES)[number];

export const EnvConfig = z
  .strictObject({
    app_id: doId
      .optional()
      .describe(
        'ID (UUID) of the App Platform app that runs this env: `doctl apps list`, or the URL of the app in the control panel. An env has either app_id or droplets.',
      ),
    droplets: DropletsConfig.optional().describe(
      'A docker compose stack on Droplets, reached over SSH, instead of an App Platform app; "Droplet targets" in the README says which commands drive it.',
    ),
    health_url: httpUrl
      .optional()
      .describe(
        'Checked after each deploy and by /health; a 2xx answer (and a JSON `status` of ok) is healthy.',
      ),
    status_url: httpUrl.optional().describe('Optional JSON endpoint with named checks that /health shows.'),
    approval: z
      .boolean()
      .optional()
      .describe(
        'Whether changes to this env wait for an approval. Default: true for an env named production or prod.',
      ),
    auto_rollback: z
      .boolean()
      .default(false)
      .describe(
        'Roll back by itself when the check after a deploy or promotion fails (health, or `verify` when set); otherwise a Roll back button is offered.',
      ),
    verify: VerifyConfig.optional().describe(
      'Post-deploy verification (health URLs, runtime error rate, jobs). Absent: only health_url is checked, at once.',
    ),
    approvals_required: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe('Distinct approvers needed for this env, overriding approvals.required.'),
    announce: z
      .enum(ANNOUNCE_MODES)
      .optional()
      .describe(
        'Deployments dockside did not start (a push with deploy_on_push, the console, doctl) are announced in the ops channel with who or what caused them: all (progress and outcome), failures (only the outcome of one that fails, with its log excerpt) or off. Default: all for an env named production or prod, failures otherwise. App Platform envs only (a Droplet env refuses it). Cost: one replica lists all apps every 30 s (1 request per 200 apps, 120/hour) and polls each such deployment like its own (15 s when announced, 60 s for failures); 50 envs with 10 out-of-band deployments each a day spend about 16% of the 5,000 requests/hour at three times that rate (`npm run bench -- oob`).',
      ),
  })
  .refine((e) => (e.app_id === undefined) !== (e.droplets === undefined), {
    message:
      'an environment needs either app_id (App Platform) or droplets (docker compose over SSH), not both',
    path: ['app_id'],
  })
  .refine((e) => !(e.verify && e.droplets), {
    message:
      'verify works for App Platform envs (app_id) only; a Droplet env checks host_health on each host as it rolls out',
    path: ['verify'],
  })
  .refine((e) => e.announce === undefined || e.app_id !== undefined, {
    message:
      'announce applies to App Platform envs (app_id) only: dockside makes every deployment of a Droplet env itself',
    path: ['announce'],
  })
  .describe('One environment of the app, by its name.');
export type EnvConfig = z.infer<typeof EnvConfig>;

export const AppConfig = z
  .strictObject({
    environments: z
      .record(name, EnvConfig)
      .refine((e) => Object.keys(e).length > 0, 'at least one environment')
      .describe("The app's environments by name (e.g. staging, production); each is one App Platform app."),
    promote: z
      .strictObject({
        from: name.describe('The env whose build is promoted (e.g. staging).'),
        to: name.describe('The env that receives it (e.g. production).'),
      })
      .optional()
      .describe('Lets /promote make `to` run exactly what `from` runs.'),
    approvals_required: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe('Distinct approvers needed for every env of this app, overriding approvals.required.'),
  })
  .describe('One app, by the name used in commands.');
export type AppConfig = z.infer<typeof AppConfig>;
