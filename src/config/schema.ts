import { z } from 'zod';
import { Grant, RoleConfig } from './schema-access.js';
import { AppConfig } from './schema-apps.js';
import { BackupDestination, DatabaseConfig } from './schema-databases.js';
import { RegistryConfig } from './schema-droplets.js';
import { channelId, httpUrl, name, schedule } from './schema-fields.js';

/**
 * The schema of dockside.yml (see DESIGN.md). Strict: unknown keys are errors, so a
 * typo such as `aproval: true` is reported instead of silently ignored. Every field has
 * a `.describe()` text: docs/configuration.md is generated from them (`npm run schema`).
 * Each section lives in a file of its own (schema-apps, -databases, -access, -droplets,
 * -verify; shared field types in schema-fields.ts); this file puts them together and
 * re-exports them, so importers keep one entry point.
 */

export { ACTIONS, Action, Grant, RoleConfig } from './schema-access.js';
export { ANNOUNCE_MODES, type AnnounceMode, AppConfig, EnvConfig } from './schema-apps.js';
export { BackupDestination, DatabaseConfig, SUPPORTED_SERVERS } from './schema-databases.js';
export { DropletService, DropletsConfig, RegistryConfig } from './schema-droplets.js';
export { durationMs, VerifyConfig } from './schema-verify.js';

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
