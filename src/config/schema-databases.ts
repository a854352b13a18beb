import { z } from 'zod';
import { doId, httpUrl, name, schedule } from './schema-fields.js';

/** The `databases` section of dockside.yml, and where dockside's own dumps go (`backups.destination`). */

/** Server versions DigitalOcean offers as managed databases; the image's dump tools must cover them. */
export const SUPPORTED_SERVERS = { postgres: '13–17', mysql: '8' } as const;

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
