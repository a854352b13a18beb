import type { Logger } from './logger.js';

/**
 * Process-level safety net. Every background task is awaited or caught where it runs;
 * this is for the one that was missed: it is logged with what is known and the process
 * keeps serving. Crashing would not help: every new replica would meet the same Redis or
 * DigitalOcean fault and die the same way, and the watch records and intents left in
 * Redis are exactly what a serving replica resumes.
 */
export function installProcessHandlers(options: {
  log: Logger;
  stop: (signal: string) => Promise<void>;
  exit?: (code: number) => void;
}): () => void {
  const { log } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onRejection = (reason: unknown) => {
    log.error({ err: reason }, 'unhandled promise rejection; dockside keeps serving');
  };
  const onException = (err: Error, origin: string) => {
    log.error({ err, origin }, 'uncaught exception; dockside keeps serving');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    options
      .stop(signal)
      .catch((err: unknown) => log.error({ err }, 'graceful stop failed'))
      .finally(() => exit(0));
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
