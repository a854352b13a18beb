import { describe, expect, it } from 'vitest';
import {
  announceMode,
  awaitsIntent,
  candidates,
  changeOf,
  watchedEnvs,
} from '../../handlers/announce/detect.js';
import { checkConfigText } from '../../src/config/load.js';
import type { RunIntent } from '../../src/intents.js';
import { describeCause, runLogExcerpt } from '../../src/render/announce.js';
import { makeConfig } from '../backup/helpers.js';
import { appOf, dep, T } from './fixtures.js';

const ID = '6f0e2b1c-3d4e-4f50-8a61-b2c3d4e5f601';
const ID2 = '9a1c7e2d-4b5f-4a60-9c71-d2e3f4a5b602';

describe('announce setting', () => {
  it('defaults to all for production (as approvals name it) and failures elsewhere', () => {
    expect(announceMode('production', {})).toBe('all');
    expect(announceMode('prod', {})).toBe('all');
    expect(announceMode('staging', {})).toBe('failures');
    expect(announceMode('production', { announce: 'off' })).toBe('off');
    expect(announceMode('staging', { announce: 'all' })).toBe('all');
  });

  it('watches App Platform envs that are not off', () => {
    const config = makeConfig({
      channels: { ops: 'C0123456789' },
      apps: {
        web: {
          environments: {
            staging: { app_id: ID, announce: 'off' },
            production: { app_id: ID2, health_url: 'https://example.com/health' },
          },
        },
      },
    });
    expect(watchedEnvs(config)).toEqual([
      { app: 'web', env: 'production', appId: ID2, mode: 'all', healthUrl: 'https://example.com/health' },
    ]);
  });

  it('is refused on a Droplet env and when misspelt, naming the field', () => {
    const droplet = `
channels: { ops: C0123456789 }
apps:
  api:
    environments:
      production:
        announce: all
        droplets:
          hosts: [10.0.0.5]
          user: deploy
          ssh_key: k
          host_keys: ["10.0.0.5 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH"]
          compose_file: /opt/c.yml
          project: api
          release_file: /opt/release.env
          services: { backend: { image: ghcr.io/acme/api, variable: BACKEND_IMAGE } }
          host_health: { service: backend, url: http://127.0.0.1:8000/health }
`;
    const { problems } = checkConfigText(droplet, {});
    expect(problems.map((p) => `${p.path}: ${p.message}`).join('\n')).toMatch(
      /apps\.api\.environments\.production\.announce: announce applies to App Platform envs/,
    );
    const typo = `channels: { ops: C0123456789 }\napps: { web: { environments: { staging: { app_id: ${ID}, announce: always } } } }\n`;
    expect(checkConfigText(typo, {}).problems.map((p) => p.path)).toContain(
      'apps.web.environments.staging.announce',
    );
  });
});

describe('what a tick looks at', () => {
  const active = dep('ACTIVE', T(0));

  it('first sight is a baseline: what runs now is a candidate, the active deployment is history', () => {
    const running = dep('BUILDING', T(5));
    const app = appOf('a', { active, inProgress: running, last: T(5) });
    expect(changeOf(undefined, app)).toBe('baseline');
    expect(candidates(undefined, app).map((d) => d.id)).toEqual([running.id]);
  });

  it('an unchanged answer costs no request more', () => {
    const app = appOf('a', { active, last: T(0) });
    expect(changeOf({ lastCreatedAt: T(0), ids: [active.id], deferred: [] }, app)).toBe('unchanged');
  });

  it('catches a deployment that started and failed between two ticks, from the newest deployments', () => {
    const failed = dep('ERROR', T(3));
    const app = appOf('a', { active, last: T(3) });
    const state = { lastCreatedAt: T(0), ids: [active.id], deferred: [] };
    expect(changeOf(state, app)).toBe('changed');
    expect(candidates(state, app, [failed, active]).map((d) => d.id)).toEqual([failed.id]);
  });

  it('looks again at deferred deployments and at a changed set of ids without a timestamp', () => {
    const running = dep('BUILDING', T(1));
    const app = appOf('a', { active, inProgress: running });
    expect(changeOf({ ids: [active.id], deferred: [] }, app)).toBe('changed');
    const deferred = { lastCreatedAt: T(1), ids: [active.id, running.id], deferred: [running.id] };
    expect(changeOf(deferred, appOf('a', { active, inProgress: running, last: T(1) }))).toBe('changed');
    expect(candidates(deferred, app, [running, active]).map((d) => d.id)).toEqual([running.id]);
  });

  it('waits while an intent of the same app has no deployment id yet, or names this one', () => {
    const intent = (patch: Partial<RunIntent>): RunIntent => ({
      id: 'i',
      kind: 'deploy',
      owner: 'r1',
      stage: 'creating',
      user: 'U1',
      channel: 'C1',
      appId: 'a',
      createdAt: T(0),
      ...patch,
    });
    expect(awaitsIntent([intent({})], 'a', 'd1')).toBe(true);
    expect(awaitsIntent([intent({ deploymentId: 'd1', stage: 'created' })], 'a', 'd1')).toBe(true);
    expect(awaitsIntent([intent({ deploymentId: 'd0', stage: 'created' })], 'a', 'd1')).toBe(false);
    expect(awaitsIntent([intent({ appId: 'b' })], 'a', 'd1')).toBe(false);
  });
});

describe('who or what caused it', () => {
  it('names the commit, author, branch and subject of a push, escaped', () => {
    const d = dep('BUILDING', T(0), {
      causeDetails: {
        type: 'DEPLOY_ON_PUSH',
        gitPush: {
          repo: 'acme/web',
          branch: 'main',
          commitSha: '9a4df0b1234',
          commitAuthor: 'Eve <!channel>',
          commitMessage: 'Ship it <https://evil.example|click>\n\nbody',
        },
      },
    });
    const line = describeCause(d);
    expect(line).toMatch(
      /^Started by a git push of `9a4df0b` by Eve &lt;!channel&gt; to `main` \(acme\/web\)/,
    );
    expect(line).not.toContain('<!channel>');
    expect(line).not.toContain('<https://evil.example');
    expect(line).not.toContain('body');
  });

  it('shows a branch as named inside its code span, with only a backtick made harmless', () => {
    const d = dep('BUILDING', T(0), {
      causeDetails: { type: 'DEPLOY_ON_PUSH', gitPush: { branch: '_hotfix*/x`y', commitSha: 'abcdef0123' } },
    });
    expect(describeCause(d)).toBe('Started by a git push of `abcdef0` to `_hotfix*/x\u02cby`.');
  });

  it('names the person of a console or doctl deployment, and falls back to the cause text', () => {
    const manual = dep('BUILDING', T(0), {
      causeDetails: {
        type: 'MANUAL',
        digitaloceanUserAction: { name: 'CREATE_DEPLOYMENT', user: { email: 'sam@example.com' } },
      },
    });
    expect(describeCause(manual)).toBe(
      'Started by a deployment by sam@example.com in the DigitalOcean control panel, doctl or the API.',
    );
    expect(describeCause(dep('BUILDING', T(0), { causeDetails: { type: 'AUTO_ROLLBACK' } }))).toMatch(
      /automatic rollback by App Platform/,
    );
    expect(describeCause(dep('BUILDING', T(0), { cause: 'app spec updated' }))).toBe(
      'Started outside dockside: app spec updated.',
    );
  });
});

describe('the runtime log under an unhealthy deployment', () => {
  it('is a code block that no log line can break out of or ping from, cut to fit', () => {
    const hostile = [
      'web 12:00 listening on :8080',
      'web 12:01 <!channel> ``` *bold* <https://evil.example|x>',
    ];
    const text = runLogExcerpt(hostile);
    expect(text.startsWith('Last 2 lines of its RUN log:\n```')).toBe(true);
    expect(text.endsWith('```')).toBe(true);
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil.example');
    const many = Array.from({ length: 100 }, (_, i) => `web line ${i} ${'x'.repeat(100)}`);
    const cut = runLogExcerpt(many, 1200);
    expect(cut.length).toBeLessThanOrEqual(1200);
    expect(cut).toContain('web line 99');
    expect(cut).not.toContain('web line 0 ');
    expect(runLogExcerpt([])).toBe('_Its runtime log has no lines yet._');
  });
});
