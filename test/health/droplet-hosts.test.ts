import { describe, expect, it } from 'vitest';
import type { HostHealth } from '../../handlers/deploy/target.js';
import { hostsHealth } from '../../handlers/droplet/health.js';
import { hostViews } from '../../handlers/health/check-hosts.js';
import type { EnvHealth, HealthReport } from '../../handlers/health/types.js';
import { DropletsConfig } from '../../src/config/schema.js';
import { mrkdwnSections, renderHealthReport } from '../../src/render/health.js';
import type { SshSession } from '../../src/ssh/client.js';

const D = (c: string) => `sha256:${c.repeat(64)}`;
const release = (id: string, b: string) => ({
  id,
  services: [{ service: 'backend', image: 'ghcr.io/acme/vulcan/backend', digest: D(b) }],
});
const host = (name: string, extra: Partial<HostHealth> = {}): HostHealth => ({
  host: name,
  reachable: true,
  healthy: true,
  detail: 'healthy',
  release: release('r1', 'a'),
  ...extra,
});

describe('which hosts /health flags', () => {
  it('flags the host on another release than most, the unreachable one and the unhealthy one', () => {
    const views = hostViews([
      host('h1', { release: release('r0', 'b') }),
      host('h2'),
      host('h3'),
      host('h4', { reachable: false, healthy: false, detail: 'connect ECONNREFUSED', release: undefined }),
      host('h5', { healthy: false, detail: 'curl: (7)' }),
    ]);
    expect(views.map((v) => [v.host, v.flags])).toEqual([
      ['h1', ['other release']],
      ['h2', []],
      ['h3', []],
      ['h4', ['unreachable']],
      ['h5', ['unhealthy']],
    ]);
  });

  it('on a tie the first host in rollout order sets the reference; a host with no release yet differs', () => {
    const views = hostViews([host('h1'), host('h2', { release: undefined })]);
    expect(views.map((v) => v.flags)).toEqual([[], ['other release']]);
  });
});

describe('a host that stops answering', () => {
  const config = DropletsConfig.parse({
    hosts: ['10.0.0.5', '10.0.0.6', '10.0.0.7'],
    user: 'deploy',
    ssh_key: 'k',
    host_keys: ['10.0.0.5 ssh-ed25519 AAAA', '10.0.0.6 ssh-ed25519 AAAA', '10.0.0.7 ssh-ed25519 AAAA'],
    compose_file: '/opt/c.yml',
    project: 'vulcan',
    release_file: '/opt/release.env',
    services: { backend: { image: 'ghcr.io/acme/vulcan/backend', variable: 'BACKEND_IMAGE' } },
    host_health: { service: 'backend', url: 'http://127.0.0.1:8000/health' },
    timeouts: { connect_ms: 100, command_ms: 1000, health_ms: 1000 },
  });
  const never = new Promise<never>(() => {});
  const closed: string[] = [];
  const session = (name: string, hang: boolean): SshSession => ({
    name,
    isOpen: () => true,
    close: () => void closed.push(name),
    run: async (command) => {
      if (hang) return never;
      const readsRelease = command.argv[0] === 'sh';
      return {
        code: 0,
        stdout: readsRelease ? `BACKEND_IMAGE=ghcr.io/acme/vulcan/backend@${D('a')}\n` : '',
        stderr: '',
        durationMs: 1,
        truncated: false,
      };
    },
  });

  it('is reported within its budget while the others are reported as they are', async () => {
    const started = Date.now();
    const health = await hostsHealth(
      config,
      config.hosts!.map((h) => ({ host: h, port: 22, name: h })),
      async (h) => {
        if (h.name === '10.0.0.7') return never; // the handshake never ends
        return session(h.name, h.name === '10.0.0.6');
      },
      { timeoutMs: 100 },
    );
    const took = Date.now() - started;
    expect(health.state).toBe('bad');
    expect(health.hosts.map((h) => [h.host, h.reachable, h.healthy, h.detail])).toEqual([
      ['10.0.0.5', true, true, 'healthy'],
      ['10.0.0.6', true, false, 'no answer within 0.7 s'],
      ['10.0.0.7', false, false, 'no answer within 0.7 s'],
    ]);
    expect(health.hosts[0]?.release?.services[0]?.digest).toBe(D('a'));
    // 100 ms connect + 100 ms for the commands (at once) + 500 ms margin, not the 1 s command_ms.
    expect(took).toBeLessThan(1500);
    expect(closed).toEqual(expect.arrayContaining(['10.0.0.5', '10.0.0.6']));
  });
});

describe('host rows as Slack shows them', () => {
  const env: EnvHealth = {
    app: 'api',
    env: 'production',
    appId: '',
    state: 'bad',
    checks: [{ name: 'hosts', state: 'bad', detail: '1/2 hosts ok: h2 unhealthy' }],
    hosts: [
      {
        host: '10.0.0.5',
        reachable: true,
        healthy: true,
        detail: 'healthy',
        services: [
          { service: 'backend', digest: D('a'), tag: 'v2' },
          { service: 'frontend', digest: D('b'), tag: 'v2' },
        ],
        flags: [],
      },
      {
        host: '10.0.0.6',
        reachable: true,
        healthy: false,
        detail: '<!channel> ```done``` *now*',
        services: [{ service: 'backend', digest: D('c') }],
        flags: ['unhealthy', 'other release'],
      },
    ],
  };
  const report: HealthReport = {
    envs: [env],
    databases: [],
    redis: { name: 'redis', state: 'good', latencyMs: 1 },
    locks: [],
    checkedAt: '2026-11-05T09:00:00Z',
    durationMs: 40,
  };

  it('shows short digests and the tag once, and escapes what a host said', () => {
    const text = renderHealthReport(report, Date.parse('2026-11-05T09:00:00Z')).text;
    expect(text).toContain('    ✅ 10.0.0.5  backend aaaaaaaaaaaa frontend bbbbbbbbbbbb (v2) · healthy');
    expect(text).toContain(
      '    ❌ 10.0.0.6  backend cccccccccccc · unhealthy: &lt;!channel&gt; ˋˋˋdoneˋˋˋ *now* ⚠ other release',
    );
    expect(text).not.toContain('<!channel>');
    // The table's code block is the only one: the host's backticks did not close it.
    expect(text.match(/```/g)).toHaveLength(2);
  });

  it('splits a long report between lines and keeps each code block closed', () => {
    const many: HealthReport = {
      ...report,
      envs: Array.from({ length: 60 }, (_, i) => ({ ...env, env: `env${i}` })),
    };
    const message = renderHealthReport(many, Date.parse('2026-11-05T09:00:00Z'));
    const texts = (message.blocks ?? []).map((b) => (b as { text: { text: string } }).text.text);
    expect(texts.length).toBeGreaterThan(1);
    for (const t of texts) {
      expect(t.length).toBeLessThanOrEqual(3000);
      expect((t.match(/```/g) ?? []).length % 2).toBe(0);
    }
    expect(texts.join('\n')).toContain('api/env59');
    expect(mrkdwnSections('x'.repeat(5000))[0]?.text.text.length).toBeLessThanOrEqual(3000);
  });
});
