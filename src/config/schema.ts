import { z } from 'zod';
import { DropletsConfig, RegistryConfig } from './schema-droplets.js';
import { channelId, doId, httpUrl, name, schedule, usergroupId, userId } from './schema-fields.js';
import { VerifyConfig } from './schema-verify.js';

/**
 * The schema of dockside.yml (see DESIGN.md). Strict: unknown keys are errors, so a
 * typo such as `aproval: true` is reported instead of silently ignored. Every field has
 * a `.describe()` text: docs/configuration.md is generated from them (`npm run schema`).
 * Shared field types live in schema-fields.ts, the Droplet sections in schema-droplets.ts.
 */

/** Server versions DigitalOcean offers as managed databases; the image's dump tools must cover them. */
export const SUPPORTED_SERVERS = { postgres: '13–17', mysql: '8' } as const;

/** `audit`: reading /audit. Without any grant of it, every role in access.roles may read the log. */
export const ACTIONS = [
  'deploy',
  'promote',
  'rollback',
  'query',
  'backup',
  'restore',
  'lock',
  'audit',
  'logs',
  'restart',
] as const;
export const Action = z.enum(ACTIONS);
export type Action = z.infer<typeof Action>;

/** What the ops channel hears of deployments dockside did not start (handlers/announce/). */
export const ANNOUNCE_MODES = ['all', 'failures', 'off'] as const;
export type AnnounceMode = (typeof ANNOUNCE_MODES)[number];

export { DropletService, DropletsConfig, RegistryConfig } from './schema-droplets.js';
export { durationMs, VerifyConfig } from './schema-verify.js';

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

const connectionUrl = z
  .string()
  .regex(/^(postgres|postgresql|mysql|mariadb):\/\//, 'a postgres:// or mysql:// connection URL');

export const DatabaseConfig = z
  .strictObject({
    engine: z
      .enum(['postgres', 'mysql'])
      .describe(
        `postgres (PostgreSQL ${SUPPORTED_SERVERS.postgres}) or mysql (MySQL ${SUPPORTED_SERVERS.mysql}; MariaDB works too): the server versions DigitalOcean offers.`,
      ),
    url: connectionUrl.describe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      'Connection URL for /query, as DigitalOcean gives it (keep `sslmode=require`). Use a read-only user; keep the URL in an environment variable and write url: "${MAIN_DB_URL}".',
    ),
    backup_url: connectionUrl
      .optional()
      .describe(
        'Connection URL for dumps (and restores into this database when it is a restore_target); default: url. A role that may read every table and sequence.',
      ),
    cluster_id: doId
      .optional()
      .describe(
        'ID (UUID) of the DigitalOcean managed database cluster, for /backup list and restore of managed backups: `doctl databases list`.',
      ),
    mask_columns: z
      .array(z.string().min(1))
      .default([])
      .describe('Columns whose values /query never shows (any table), e.g. email, phone, token.'),
    mask_predicates: z
      .enum(['refuse', 'allow'])
      .default('refuse')
      .describe(
        'refuse: a masked column may only be selected (shown masked), counted or tested with IS [NOT] NULL. allow: it may also be filtered, joined, grouped and sorted on, which lets someone learn its values one yes/no question at a time.',
      ),
    allow_functions: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z_][\w$]*(\.[A-Za-z_][\w$]*)?$/, 'a function name such as similarity or public.f'),
      )
      .default([])
      .describe(
        'Functions /query allows beyond its built-in list of pure functions (name, or schema.name outside pg_catalog). Functions that run SQL from text or act outside the transaction are never allowed.',
      ),
    max_rows: z.number().int().min(1).max(100_000).default(200).describe('Rows a query may return at most.'),
    max_cell_bytes: z
      .number()
      .int()
      .min(16)
      .max(1_048_576)
      .default(16_384)
      .describe('Longer values are cut to this many bytes on the server; the answer says how many were cut.'),
    max_result_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(16 * 1024 * 1024)
      .describe('A result stops growing at this many bytes of values; the answer says so.'),
    statement_timeout_ms: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(5000)
      .describe('A query running longer is cancelled by the server.'),
    restore_target: name
      .optional()
      .describe('Another database in this file that dockside dumps of this one may be restored into.'),
    backup_schedule: schedule.optional().describe('When dockside takes a dump of this database by itself.'),
  })
  .describe('One database, by the name used in commands.');
export type DatabaseConfig = z.infer<typeof DatabaseConfig>;

export const RoleConfig = z
  .strictObject({
    usergroups: z
      .array(usergroupId)
      .default([])
      .describe('Slack user group ids (S...) whose members have the role; needs a paid Slack plan.'),
    users: z.array(userId).default([]).describe('Slack user ids (U...) that have the role.'),
  })
  .describe('One role: the people in any of its user groups or users.');
export type RoleConfig = z.infer<typeof RoleConfig>;

export const Grant = z
  .strictObject({
    role: name.describe('A role from access.roles.'),
    actions: z
      .array(Action)
      .min(1)
      .describe(
        `What the role may do: ${ACTIONS.join(', ')}. Without any \`audit\` grant, every role may read /audit.`,
      ),
    apps: z.array(name).optional().describe('Only these apps (default: every app).'),
    envs: z.array(name).optional().describe('Only envs with these names (default: every env).'),
    databases: z.array(name).optional().describe('Only these databases (default: every database).'),
    channels: z
      .array(channelId)
      .optional()
      .describe('Only when run in these channels (default: any channel).'),
  })
  .describe(
    'One grant: a role may run these actions, limited to the apps, envs, databases and channels given.',
  );
export type Grant = z.infer<typeof Grant>;

export const BackupDestination = z
  .discriminatedUnion('type', [
    z
      .strictObject({
        type: z.literal('local').describe("Files on dockside's own disk."),
        path: z.string().min(1).describe('Directory the dumps are written to.'),
      })
      .describe('Local disk. On App Platform the disk is lost at every redeploy: use s3 there.'),
    z
      .strictObject({
        type: z.literal('s3').describe('An S3-compatible bucket (DigitalOcean Spaces).'),
        endpoint: httpUrl.describe('e.g. https://fra1.digitaloceanspaces.com'),
        region: z.string().default('us-east-1').describe('The Spaces region, e.g. fra1.'),
        bucket: z.string().min(3).describe('Bucket (Space) name.'),
        prefix: z.string().default('dockside/').describe('Key prefix of every dump.'),
        access_key_id: z.string().optional().describe('Default: the SPACES_KEY environment variable.'),
        secret_access_key: z.string().optional().describe('Default: the SPACES_SECRET environment variable.'),
        force_path_style: z
          .boolean()
          .default(false)
          .describe('Path-style URLs, for S3-compatible servers other than Spaces.'),
      })
      .describe('DigitalOcean Spaces or another S3-compatible store.'),
  ])
  .describe('Where dockside dumps go.');
export type BackupDestination = z.infer<typeof BackupDestination>;

export const Config = z.strictObject({
  channels: z
    .strictObject({
      ops: channelId.describe(
        'Channel id (C...) for approvals, health summaries and alerts; invite the bot there.',
      ),
    })
    .describe('Slack channels dockside posts to.'),
  apps: z
    .record(name, AppConfig)
    .default({})
    .describe('App Platform apps by the name used in commands (`/deploy web staging`).'),
  databases: z
    .record(name, DatabaseConfig)
    .default({})
    .describe('Databases by the name used in commands (`/query main ...`).'),
  access: z
    .strictObject({
      roles: z.record(name, RoleConfig).default({}).describe('Roles by name, each a set of people.'),
      grants: z
        .array(Grant)
        .default([])
        .describe('Which role may do what, where. Nothing is allowed otherwise.'),
    })
    .default({ roles: {}, grants: [] })
    .describe('Who may run what.'),
  approvals: z
    .strictObject({
      required: z.number().int().min(1).max(10).default(1).describe('Distinct approvers needed.'),
      ttl_minutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(30)
        .describe('A request not approved within this time expires.'),
      self_approval: z.boolean().default(false).describe('Whether people may approve their own requests.'),
      approver_role: name.default('approver').describe('The role whose members may approve.'),
    })
    .default({ required: 1, ttl_minutes: 30, self_approval: false, approver_role: 'approver' })
    .describe('Approvals of production changes.'),
  backups: z
    .strictObject({
      destination: BackupDestination.default({ type: 'local', path: './.dockside/backups' }),
      retention: z
        .strictObject({
          daily: z.number().int().min(0).default(30).describe('Newest dump of each of this many days.'),
          weekly: z.number().int().min(0).default(12).describe('Newest dump of each of this many weeks.'),
          monthly: z.number().int().min(0).default(12).describe('Newest dump of each of this many months.'),
        })
        .default({ daily: 30, weekly: 12, monthly: 12 })
        .describe('Which dockside dumps are kept; older ones are deleted.'),
      max_age_hours: z
        .number()
        .positive()
        .default(26)
        .describe('The health summary flags a database whose newest backup is older.'),
    })
    .default({
      destination: { type: 'local', path: './.dockside/backups' },
      retention: { daily: 30, weekly: 12, monthly: 12 },
      max_age_hours: 26,
    })
    .describe("dockside's own dumps (`/backup <db> now`, backup_schedule)."),
  github: z
    .strictObject({
      token: z.string().min(1).describe('Token that may push to the repositories of git-sourced apps.'),
      api_url: httpUrl.optional().describe('GitHub API base URL (GitHub Enterprise).'),
    })
    .optional()
    .describe('Optional: lets /promote fast-forward a git branch.'),
  registries: z
    .record(z.string().regex(/^[a-z0-9.-]+(:\d+)?$/, 'a registry host such as ghcr.io'), RegistryConfig)
    .default({})
    .describe(
      "Registry host (e.g. ghcr.io) -> credentials that resolve Droplet envs' image tags to digests.",
    ),
  health: z
    .strictObject({
      timeout_ms: z
        .number()
        .int()
        .min(100)
        .max(60_000)
        .default(5000)
        .describe('Timeout of one health check.'),
      concurrency: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(200)
        .describe('Health checks at once; high by default so 200 envs take about one timeout.'),
      failure_threshold: z
        .number()
        .int()
        .min(1)
        .max(20)
        .default(3)
        .describe('Consecutive failed polls before an env is reported unhealthy (App Platform uses 3).'),
      poll_seconds: z.number().int().min(10).default(60).describe('How often health URLs are polled.'),
    })
    .default({ timeout_ms: 5000, concurrency: 200, failure_threshold: 3, poll_seconds: 60 })
    .describe('Health checks of the apps.'),
  schedules: z
    .strictObject({
      health_summary: schedule.optional().describe('When the health summary is posted to the ops channel.'),
    })
    .default({})
    .describe('Scheduled posts.'),
  audit: z
    .strictObject({
      retention_days: z
        .number()
        .int()
        .min(1)
        .default(400)
        .describe('Entries older than this are moved to the archive stream, never dropped silently.'),
    })
    .default({ retention_days: 400 })
    .describe('The audit log in Redis.'),
});
export type Config = z.infer<typeof Config>;
