import type { OutOfBandWatcher } from '../handlers/announce/index.js';
import type { DeploymentFollower } from '../handlers/deploy/follow-deployment.js';
import type { Recovery } from '../handlers/deploy/recovery.js';
import type { Anchoring } from './audit/anchor.js';
import type { Logger } from './logger.js';

export interface LoopDeps {
  log: Logger;
  follower: DeploymentFollower;
  recovery: Recovery;
  /** Scheduled summaries, health polls and dumps (data-services). */
  startData: () => Promise<void>;
  outOfBand?: { watcher: OutOfBandWatcher; tickMs: number };
  anchoring?: { anchoring: Anchoring; tickMs: number };
  expireDue: () => Promise<unknown>;
  recoveryTickMs: number;
  expirySweepMs: number;
}

/**
 * The background loops of a started replica; returns their timers for stop(). Each step
 * is caught and logged on its own, so one failing (Redis refusing writes, DigitalOcean
 * down) neither stops the others nor reaches the process.
 */
export async function startLoops(deps: LoopDeps): Promise<NodeJS.Timeout[]> {
  const { log, follower, recovery } = deps;
  const background = (task: string, work: () => Promise<unknown>) =>
    Promise.resolve()
      .then(work)
      .catch((err: unknown) =>
        log.warn({ err, task }, 'background task failed; it runs again on the next tick'),
      );
  const timers: NodeJS.Timeout[] = [];
  await background('recovery', () => recovery.sweep());
  await background('resume', () => follower.resume());
  await deps.startData();
  // Liveness, leases, intents and unfollowed deployments on one tick: with 5 s leases and
  // a 2 s tick, another replica takes over a dead one's work within 10 s.
  timers.push(
    setInterval(() => {
      void (async () => {
        await background('renew', () => follower.renew());
        await background('recovery', () => recovery.sweep());
        await background('resume', () => follower.resume());
      })();
    }, deps.recoveryTickMs),
  );
  const outOfBand = deps.outOfBand;
  if (outOfBand) {
    // The first look is the baseline; taken at once (not awaited: a slow DigitalOcean must
    // not hold start-up), so what starts after start-up is news.
    void background('out-of-band watch', () => outOfBand.watcher.tick());
    timers.push(
      setInterval(
        () => void background('out-of-band watch', () => outOfBand.watcher.tick()),
        outOfBand.tickMs,
      ),
    );
  }
  const anchor = deps.anchoring;
  if (anchor) {
    timers.push(
      setInterval(() => void background('audit anchor', () => anchor.anchoring.tick()), anchor.tickMs),
    );
  }
  // Every replica sweeps; the store expires each request exactly once.
  timers.push(setInterval(() => void background('expiry', deps.expireDue), deps.expirySweepMs));
  return timers;
}
