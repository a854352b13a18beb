import { z } from 'zod';

/**
 * The schema of dockside.yml (see DESIGN.md). Strict: unknown keys are errors, so a
 * typo such as `aproval: true` is reported instead of silently ignored.
 */

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'use lowercase letters, digits, "-" and "_" (max 40)');
const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123456789');
const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id such as U0123ABCD');
const usergroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id such as S0123ABCD');
const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });
const cron = z.string().min(9, 'a cron expression such as "0 9 * * 1-5"');

export const ACTIONS = ['deploy', 'promote', 'rollback', 'query', 'backup', 'restore', 'lock'] as const;
export const Action = z.enum(ACTIONS);
export type Action = z.infer<typeof Action>;

export const EnvConfig = z.strictObject({
  app_id: z.string().min(1),
  health_url: httpUrl.optional(),
  status_url: httpUrl.optional(),
  /** Production-like: changes need an approval. Defaults to true for an env named production/prod. */
  approval: z.boolean().optional(),
  auto_rollback: z.boolean().default(false),
  /** Distinct approvers needed for this env, overriding approvals.required. */
  approvals_required: z.number().int().min(1).max(10).optional(),
});
export type EnvConfig = z.infer<typeof EnvConfig>;

export const AppConfig = z.strictObject({
  environments: z
    .record(name, EnvConfig)
    .refine((e) => Object.keys(e).length > 0, 'at least one environment'),
  promote: z.strictObject({ from: name, to: name }).optional(),
  /** Distinct approvers needed for every env of this app, overriding approvals.required. */
  approvals_required: z.number().int().min(1).max(10).optional(),
});
export type AppConfig = z.infer<typeof AppConfig>;

export const DatabaseConfig = z.strictObject({
  engine: z.enum(['postgres', 'mysql']),
  url: z
    .string()
    .regex(/^(postgres|postgresql|mysql|mariadb):\/\//, 'a postgres:// or mysql:// connection URL'),
  cluster_id: z.string().min(1).optional(),
  mask_columns: z.array(z.string().min(1)).default([]),
  max_rows: z.number().int().min(1).max(100_000).default(200),
  statement_timeout_ms: z.number().int().min(100).max(600_000).default(5000),
  /** Name of another database in this file that dockside dumps may be restored into. */
  restore_target: name.optional(),
  backup_schedule: z.strictObject({ cron, timezone: z.string().default('UTC') }).optional(),
});
export type DatabaseConfig = z.infer<typeof DatabaseConfig>;

export const RoleConfig = z.strictObject({
  usergroups: z.array(usergroupId).default([]),
  users: z.array(userId).default([]),
});
export type RoleConfig = z.infer<typeof RoleConfig>;

export const Grant = z.strictObject({
  role: name,
  actions: z.array(Action).min(1),
  apps: z.array(name).optional(),
  envs: z.array(name).optional(),
  databases: z.array(name).optional(),
  channels: z.array(channelId).optional(),
});
export type Grant = z.infer<typeof Grant>;

export const BackupDestination = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('local'), path: z.string().min(1) }),
  z.strictObject({
    type: z.literal('s3'),
    endpoint: httpUrl,
    region: z.string().default('us-east-1'),
    bucket: z.string().min(3),
    prefix: z.string().default('dockside/'),
    /** Defaults to the SPACES_KEY / SPACES_SECRET environment variables. */
    access_key_id: z.string().optional(),
    secret_access_key: z.string().optional(),
    force_path_style: z.boolean().default(false),
  }),
]);
export type BackupDestination = z.infer<typeof BackupDestination>;

export const Config = z.strictObject({
  channels: z.strictObject({ ops: channelId }),
  apps: z.record(name, AppConfig).default({}),
  databases: z.record(name, DatabaseConfig).default({}),
  access: z
    .strictObject({
      roles: z.record(name, RoleConfig).default({}),
      grants: z.array(Grant).default([]),
    })
    .default({ roles: {}, grants: [] }),
  approvals: z
    .strictObject({
      required: z.number().int().min(1).max(10).default(1),
      ttl_minutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(30),
      self_approval: z.boolean().default(false),
      /** The role whose members may approve. */
      approver_role: name.default('approver'),
    })
    .default({ required: 1, ttl_minutes: 30, self_approval: false, approver_role: 'approver' }),
  backups: z
    .strictObject({
      destination: BackupDestination.default({ type: 'local', path: './.dockside/backups' }),
      retention: z
        .strictObject({
          daily: z.number().int().min(0).default(30),
          weekly: z.number().int().min(0).default(12),
          monthly: z.number().int().min(0).default(12),
        })
        .default({ daily: 30, weekly: 12, monthly: 12 }),
      max_age_hours: z.number().positive().default(26),
    })
    .default({
      destination: { type: 'local', path: './.dockside/backups' },
      retention: { daily: 30, weekly: 12, monthly: 12 },
      max_age_hours: 26,
    }),
  github: z.strictObject({ token: z.string().min(1), api_url: httpUrl.optional() }).optional(),
  health: z
    .strictObject({
      timeout_ms: z.number().int().min(100).max(60_000).default(5000),
      /** Health checks at once; high by default so 200 envs take about one timeout. */
      concurrency: z.number().int().min(1).max(1000).default(200),
      /** Consecutive failed polls before an env is reported unhealthy (App Platform uses 3). */
      failure_threshold: z.number().int().min(1).max(20).default(3),
      poll_seconds: z.number().int().min(10).default(60),
    })
    .default({ timeout_ms: 5000, concurrency: 200, failure_threshold: 3, poll_seconds: 60 }),
  schedules: z
    .strictObject({
      health_summary: z.strictObject({ cron, timezone: z.string().default('UTC') }).optional(),
    })
    .default({}),
  audit: z
    .strictObject({
      /** Entries older than this are moved to the archive stream, never dropped silently. */
      retention_days: z.number().int().min(1).default(400),
    })
    .default({ retention_days: 400 }),
});
export type Config = z.infer<typeof Config>;
