import { describe, expect, it } from 'vitest';
import { checkRuntimeLogs } from '../../handlers/deploy/verify/logs.js';
import type { AppOpsClient, LogText } from '../../src/do/app-ops-port.js';

const T0 = Date.parse('2026-11-30T10:00:00Z');
const WINDOW = 60_000;
const plan = { windowMs: WINDOW, pattern: 'error|exception|panic|fatal', allowedLines: 3, factor: 2 };
const line = (ms: number, text: string) => `web ${new Date(T0 + ms).toISOString()} ${text}\n`;

/** DigitalOcean's logs by deployment id; `undefined` text: no log at all. */
function ops(logs: Record<string, Partial<LogText> | Error>): AppOpsClient & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    getLogLinks: async (r) => {
      asked.push(`${r.type} ${r.deploymentId ?? 'active'} ${r.component ?? '*'}`);
      return { historicUrls: [r.deploymentId ?? ''] };
    },
    readLog: async (links) => {
      const found = logs[links.historicUrls[0] ?? ''];
      if (found instanceof Error) throw found;
      return { text: '', bytes: 0, truncated: false, source: 'historic', ...found };
    },
  } as AppOpsClient & { asked: string[] };
}

const input = (previousDeploymentId: string | null) => ({
  appId: 'app',
  deploymentId: 'new',
  previousDeploymentId,
  startedAt: T0,
  endsAt: T0 + WINDOW,
  plan,
});

describe('the runtime-log item', () => {
  it("compares with the previous deployment's rate: as noisy as before passes, twice as noisy fails", async () => {
    const previous = Array.from({ length: 10 }, (_, i) =>
      line(-50_000 + i * 1000, 'ERROR cache miss storm'),
    ).join('');
    const same = Array.from({ length: 12 }, (_, i) => line(i * 1000, 'ERROR cache miss storm')).join('');
    const worse = Array.from({ length: 30 }, (_, i) => line(i * 1000, 'ERROR cache miss storm')).join('');
    const client = ops({ old: { text: previous }, new: { text: same } });
    const ok = await checkRuntimeLogs(client, input('old'));
    expect(ok).toMatchObject({
      ok: true,
      detail: '12 error lines in 1 min (12/min), previous deployment 10/min',
    });
    expect(client.asked).toEqual(['RUN new *', 'RUN old *']);
    const bad = await checkRuntimeLogs(ops({ old: { text: previous }, new: { text: worse } }), input('old'));
    expect(bad.ok).toBe(false);
    expect(bad.detail).toBe(
      '30 error lines in 1 min (30/min), previous deployment 10/min; more than 3 and above 20/min (2× the previous rate)',
    );
    expect(bad.samples).toHaveLength(3);
  });

  it('fails closed when the new log cannot be read or does not exist; a missing previous log counts as 0 and says so', async () => {
    const unreadable = await checkRuntimeLogs(
      ops({ new: new Error('archive answered HTTP 403') }),
      input(null),
    );
    expect(unreadable).toMatchObject({
      ok: false,
      detail: 'could not read the runtime log: archive answered HTTP 403',
    });
    const none = await checkRuntimeLogs(ops({ new: { source: 'none' } }), input(null));
    expect(none).toMatchObject({ ok: false, detail: 'DigitalOcean had no runtime log of this deployment' });
    const noPrevious = await checkRuntimeLogs(
      ops({ new: { text: line(1000, 'GET / 200') }, old: { source: 'none' } }),
      input('old'),
    );
    expect(noPrevious).toMatchObject({
      ok: true,
      detail:
        '0 error lines in 1 min (0/min); DigitalOcean kept no runtime log of the previous deployment, so it counts as 0',
    });
  });

  it('over a log cut to its end, counts the rate over the part read', async () => {
    // 6 error lines in the last 10 s read: 36/min, not 6/min over the whole window.
    const text = Array.from({ length: 6 }, (_, i) => line(50_000 + i * 1000, 'panic: nil map')).join('');
    const cut = await checkRuntimeLogs(ops({ new: { text, truncated: true } }), input(null));
    expect(cut.detail).toMatch(
      /^6 error lines in 1 min \(36\/min\).*so the rate is over its last 10 s; no previous/,
    );
  });
});
