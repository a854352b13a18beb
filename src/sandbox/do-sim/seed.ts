import type { AppSpec } from '../../do/port.js';
import type { AppPlatformSim } from './app-platform.js';
import type { DatabaseSim } from './databases.js';
import { newSha } from './git-history.js';

/** Fixed ids, so the sandbox's dockside.yml can name them. */
export const DEMO_IDS = {
  apps: {
    webStaging: '6f0e2b1c-3d4e-4f50-8a61-b2c3d4e5f601',
    webProduction: '9a1c7e2d-4b5f-4a60-9c71-d2e3f4a5b602',
    erpStaging: '3b7d1f0a-5c6e-4d70-8e81-f3a4b5c6d703',
    erpProduction: '5d2e8a3b-6d7f-4e80-9f91-a4b5c6d7e804',
  },
  databases: {
    mainPg: '1c2d3e4f-7a8b-4c90-8da1-b5c6d7e8f905',
    erpMysql: '2d3e4f5a-8b9c-4da0-9eb1-c6d7e8f9a006',
  },
} as const;

export const DEMO_WORKER_DIGEST = 'sha256:4f1c9d2e8b7a6c5d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d';

function webSpec(env: 'staging' | 'production'): AppSpec {
  return {
    name: `web-${env}`,
    region: 'fra',
    services: [
      {
        name: 'web',
        github: {
          repo: 'acme/web',
          branch: env === 'staging' ? 'main' : 'production',
          deploy_on_push: env === 'staging',
        },
        build_command: 'npm run build',
        run_command: 'npm start',
        http_port: 8080,
        instance_size_slug: 'basic-xxs',
        instance_count: 1,
        health_check: { http_path: '/health' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: App Platform's bindable variable, not JS
        envs: [{ key: 'DATABASE_URL', scope: 'RUN_TIME', value: '${main-pg.DATABASE_URL}' }],
      },
    ],
    // Staging runs the worker by digest (what promotion copies); production still by
    // tag, which is what makes App Platform warn on rollback.
    workers: [
      {
        name: 'worker',
        image:
          env === 'staging'
            ? {
                registry_type: 'GHCR',
                registry: 'acme',
                repository: 'web-worker',
                digest: DEMO_WORKER_DIGEST,
              }
            : { registry_type: 'GHCR', registry: 'acme', repository: 'web-worker', tag: 'v1.4.1' },
        instance_size_slug: 'basic-xxs',
        instance_count: 1,
      },
    ],
  };
}

function erpSpec(env: 'staging' | 'production'): AppSpec {
  return {
    name: `erp-${env}`,
    region: 'fra',
    services: [
      {
        name: 'erp',
        github: {
          repo: 'acme/erp',
          branch: env === 'staging' ? 'main' : 'production',
          deploy_on_push: false,
        },
        http_port: 3000,
        instance_size_slug: 'basic-xs',
        instance_count: 1,
        health_check: { http_path: '/health' },
      },
    ],
  };
}

const ago = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();

/** The commits one environment's seeded deployments built: older good, failed, current. */
interface SeedCommits {
  older: string;
  failed: string;
  current: string;
}

/**
 * One linear history on `main`: production's three commits, then staging's three. The
 * `production` branch points at the third, an ancestor of `main`'s head, so promoting
 * staging to production is a fast-forward (as it is in a team that promotes).
 */
function seedRepo(
  platform: AppPlatformSim,
  repo: string,
  now: Date,
): { production: SeedCommits; staging: SeedCommits } {
  const messages = [
    'Add order export',
    'Bump build tooling (breaks the build)',
    'Fix build after tooling bump',
    'Show delivery dates in the cart',
    'Refactor pricing (fails lint in build)',
    'Fix pricing rounding',
  ];
  const shas: string[] = [];
  messages.forEach((message, i) => {
    const sha = newSha();
    const parent = shas[i - 1];
    platform.recordCommit(repo, {
      sha,
      parents: parent ? [parent] : [],
      message,
      date: ago(now, (8 - i) * 24 * 60),
    });
    shas.push(sha);
  });
  const [a = '', b = '', c = '', d = '', e = '', f = ''] = shas;
  platform.heads.set(`${repo}#production`, c);
  platform.heads.set(`${repo}#main`, f);
  return { production: { older: a, failed: b, current: c }, staging: { older: d, failed: e, current: f } };
}

/** An app with a short history: two good deployments and, in between, a failed one. */
function seedApp(
  platform: AppPlatformSim,
  id: string,
  spec: AppSpec,
  where: { repo: string; branch: string; commits: SeedCommits },
  now: Date,
) {
  const app = platform.addApp(spec, id);
  const { repo, branch, commits } = where;
  const component = spec.services?.[0]?.name ?? 'web';
  platform.recordDeployment(app, {
    phase: 'ACTIVE',
    createdAt: ago(now, 3 * 24 * 60),
    cause: `commit ${commits.older.slice(0, 7)} pushed to github.com/${repo}/tree/${branch}`,
    commits: { [component]: commits.older },
  });
  platform.recordDeployment(app, {
    phase: 'ERROR',
    stoppedIn: 'BUILDING',
    failure: {
      component,
      reason: { code: 'BuildJobExitNonZero', message: 'npm run build exited with code 1' },
    },
    createdAt: ago(now, 2 * 24 * 60),
    cause: 'manual',
    commits: { [component]: commits.failed },
  });
  platform.recordDeployment(app, {
    phase: 'ACTIVE',
    createdAt: ago(now, 24 * 60),
    cause: `commit ${commits.current.slice(0, 7)} pushed to github.com/${repo}/tree/${branch}`,
    commits: { [component]: commits.current },
  });
}

function dailyBackups(now: Date, days: number, sizeGb: number) {
  const backups = [];
  for (let d = days; d >= 1; d--) {
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - d + 1, 3, 0, 0));
    if (at.getTime() > now.getTime()) at.setUTCDate(at.getUTCDate() - 1);
    backups.push({ created_at: at.toISOString().replace('.000Z', 'Z'), size_gigabytes: sizeGb });
  }
  return backups;
}

/** The sandbox world: `web` and `erp` staging/production pairs and their databases. */
export function seedDemo(platform: AppPlatformSim, databases: DatabaseSim, now = new Date()) {
  const { apps, databases: dbs } = DEMO_IDS;
  for (const [repo, staging, production] of [
    ['acme/web', apps.webStaging, apps.webProduction],
    ['acme/erp', apps.erpStaging, apps.erpProduction],
  ] as const) {
    const commits = seedRepo(platform, repo, now);
    const spec = repo === 'acme/web' ? webSpec : erpSpec;
    seedApp(platform, staging, spec('staging'), { repo, branch: 'main', commits: commits.staging }, now);
    seedApp(
      platform,
      production,
      spec('production'),
      { repo, branch: 'production', commits: commits.production },
      now,
    );
  }
  databases.add({
    id: dbs.mainPg,
    name: 'main-pg',
    engine: 'pg',
    version: '16',
    region: 'fra1',
    size: 'db-s-1vcpu-1gb',
    num_nodes: 1,
    private_network_uuid: 'a1b2c3d4-0000-4000-8000-00000000f001',
    backups: dailyBackups(now, 7, 0.42),
  });
  databases.add({
    id: dbs.erpMysql,
    name: 'erp-mysql',
    engine: 'mysql',
    version: '8',
    region: 'fra1',
    size: 'db-s-1vcpu-2gb',
    num_nodes: 1,
    backups: dailyBackups(now, 7, 1.3),
  });
  return DEMO_IDS;
}
