import { z } from 'zod';
import { hostsWithoutKey } from '../ssh/known-hosts.js';
import { httpUrl, name } from './schema-fields.js';

/** The Droplet-target sections of dockside.yml: an env's `droplets` and the top-level `registries`. */

/** `host`, `host:port` or `[ipv6]:port`: an SSH destination of a Droplet env. */
const sshHost = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9][A-Za-z0-9.-]*)(:\d{1,5})?$/,
    'a host name or IP, optionally with :port (e.g. 10.0.0.5 or 10.0.0.5:2222)',
  );
const absolutePath = z
  .string()
  .regex(/^\/[A-Za-z0-9._/-]+$/, 'an absolute path of letters, digits, ".", "_", "-" and "/"');
/** An image repository without tag or digest, e.g. ghcr.io/acme/vulcan/backend. */
const imageRepository = z
  .string()
  .regex(
    /^[a-z0-9.-]+(:\d+)?\/[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/,
    'an image repository with its registry and no tag, e.g. ghcr.io/acme/app/backend',
  );

export const DropletService = z
  .strictObject({
    image: imageRepository.describe(
      'Image repository with its registry and no tag, e.g. ghcr.io/acme/vulcan/backend.',
    ),
    variable: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name such as BACKEND_IMAGE')
      .describe('The variable the compose file reads the image from, e.g. BACKEND_IMAGE.'),
  })
  .describe('One service of the compose file, by its name.');
export type DropletService = z.infer<typeof DropletService>;

/** Docker compose stacks on Droplets, reached over SSH (DESIGN.md "Droplet targets"). */
export const DropletsConfig = z
  .strictObject({
    hosts: z
      .array(sshHost)
      .min(1)
      .optional()
      .describe(
        'The hosts, in rollout order: IPs or names, with :port when not `port`. Either hosts or tag.',
      ),
    tag: z
      .string()
      .regex(/^[A-Za-z0-9_:-]{1,255}$/, 'a DigitalOcean tag')
      .optional()
      .describe('Droplets carrying this tag, reached on their private IPv4 (looked up through the DO API).'),
    user: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Unix user name')
      .describe('SSH user (in the docker group).'),
    port: z.number().int().min(1).max(65_535).default(22).describe('SSH port of hosts that do not name one.'),
    ssh_key: z
      .string()
      .min(1)
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
      .describe('Private key text (OpenSSH or PEM, unencrypted), normally `${DROPLET_SSH_KEY}`.'),
    host_keys: z
      .array(z.string().min(1))
      .min(1, 'add the known_hosts line of every host')
      .describe(
        'known_hosts lines of the hosts (`[host]:port` when the port is not 22; `ssh-keyscan` output). A host without one, or with another key, is refused.',
      ),
    compose_file: absolutePath.describe('The docker compose file on the hosts.'),
    project: name.describe('Compose project name.'),
    release_file: absolutePath.describe(
      'Written by dockside and read by compose (--env-file): one `VARIABLE=image@sha256:...` line per service.',
    ),
    services: z
      .record(name, DropletService)
      .refine((s) => Object.keys(s).length > 0, 'at least one service')
      .describe('The services dockside deploys, by compose service name.'),
    migrate: z
      .strictObject({
        service: name.describe('Service to run it in.'),
        command: z.string().min(1).describe('Command, e.g. "alembic upgrade head".'),
      })
      .optional()
      .describe('Run once per deploy, on the first host after its `up -d` (never on a rollback).'),
    host_health: z
      .strictObject({
        service: name.describe('Service the check runs inside (it needs curl).'),
        url: httpUrl.describe(
          'URL that answers 2xx when the host is healthy, as seen from inside the service.',
        ),
      })
      .describe('Checked on each host after its `up -d`; the host rejoins the load balancer when it passes.'),
    load_balancer_id: z
      .string()
      .min(1)
      .optional()
      .describe('DigitalOcean load balancer a host leaves while it is updated.'),
    batch: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(1)
      .describe('Hosts updated at a time after the first (which always goes alone).'),
    timeouts: z
      .strictObject({
        connect_ms: z
          .number()
          .int()
          .min(100)
          .max(120_000)
          .default(10_000)
          .describe('SSH connection and handshake.'),
        command_ms: z
          .number()
          .int()
          .min(100)
          .max(3_600_000)
          .default(600_000)
          .describe('Any one remote command (a `docker compose pull` of large images included).'),
        health_ms: z
          .number()
          .int()
          .min(100)
          .max(3_600_000)
          .default(120_000)
          .describe('How long a host may take to pass host_health after `up -d`.'),
      })
      .default({ connect_ms: 10_000, command_ms: 600_000, health_ms: 120_000 })
      .describe('Timeouts of the SSH work.'),
  })
  .superRefine((d, ctx) => {
    if ((d.hosts === undefined) === (d.tag === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either hosts or tag (one of them)', path: ['hosts'] });
    }
    for (const [field, service] of [
      ['migrate', d.migrate?.service],
      ['host_health', d.host_health.service],
    ] as const) {
      if (service !== undefined && !(service in d.services)) {
        ctx.addIssue({
          code: 'custom',
          message: `service "${service}" is not in services (${Object.keys(d.services).join(', ')})`,
          path: [field, 'service'],
        });
      }
    }
    for (const missing of hostsWithoutKey(d.host_keys, d.hosts ?? [], d.port)) {
      ctx.addIssue({ code: 'custom', message: `no host_keys line for ${missing}`, path: ['host_keys'] });
    }
    const variables = Object.values(d.services).map((s) => s.variable);
    if (new Set(variables).size !== variables.length) {
      ctx.addIssue({ code: 'custom', message: 'two services use the same variable', path: ['services'] });
    }
  });
export type DropletsConfig = z.infer<typeof DropletsConfig>;

export const RegistryConfig = z
  .strictObject({
    token: z.string().min(1).describe('Token that may read the images (GHCR: a PAT with read:packages).'),
    username: z.string().min(1).default('dockside').describe('User sent with the token (GHCR accepts any).'),
    api_url: httpUrl
      .optional()
      .describe("Where the registry's API answers, when not https://<registry host> (mirrors, tests)."),
  })
  .describe('Credentials for one registry.');
export type RegistryConfig = z.infer<typeof RegistryConfig>;
