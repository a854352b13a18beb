import type { App } from '@slack/bolt';
import type { Dedupe } from '../dedupe.js';
import type { Logger } from '../logger.js';

/**
 * Listeners run past the ack: the set holds what is still running, so a graceful stop
 * can let it finish before Redis goes.
 */
export function trackInFlight(app: App): Set<Promise<void>> {
  const inFlight = new Set<Promise<void>>();
  app.use(async ({ next }) => {
    const work = next();
    inFlight.add(work);
    try {
      await work;
    } finally {
      inFlight.delete(work);
    }
  });
  return inFlight;
}

/**
 * A command is run once per trigger id: Socket Mode redelivers an envelope whose ack it
 * missed (HTTP mode also refuses a replayed signature). A repeat is acked and dropped.
 */
export function dropRepeatedCommands(app: App, dedupe: Dedupe, log: Logger): void {
  app.use(async (args) => {
    const body = args.body as { command?: unknown; trigger_id?: unknown };
    if (typeof body.command === 'string' && typeof body.trigger_id === 'string') {
      const first = await dedupe.once(`command:${body.trigger_id}`, 3600).catch(() => true);
      if (!first) {
        if ('ack' in args && typeof args.ack === 'function') await args.ack();
        log.info({ command: body.command }, 'repeated command delivery dropped');
        return;
      }
    }
    await args.next();
  });
}
