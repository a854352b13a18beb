import type { KnownBlock } from '@slack/types';
import type { AppOpsClient } from '../../src/do/app-ops-port.js';
import { failureExcerptText, fullLogCommand, logsButton } from '../../src/render/log-excerpt.js';
import { explainFailure } from '../logs/failure.js';
import type { AfterFinish } from './follow-deployment.js';

/** Kinds of followed deployment whose failures explain themselves. */
const KINDS = ['deploy', 'promote', 'rollback', 'revert', 'restart', 'external'];
/** The outcome section holds 3,000 characters with the other lines; the excerpt takes part of it. */
const EXCERPT_CHARS = 1500;

/**
 * Wraps the after-finish steps so that a deployment ending in ERROR carries the end
 * of its failing component's log and a button for the whole log, whatever started it.
 */
export function explainingFailures(
  steps: Record<string, AfterFinish>,
  ops: AppOpsClient,
): Record<string, AfterFinish> {
  const out: Record<string, AfterFinish> = { ...steps };
  for (const kind of KINDS) {
    const inner = steps[kind];
    out[kind] = async (finished) => {
      const base = await inner?.(finished);
      if (finished.deployment.phase !== 'ERROR') return base;
      const { record, deployment } = finished;
      const excerpt = await explainFailure({ ops }, record.appId, deployment);
      const command = excerpt.missing ? undefined : fullLogCommand(record, excerpt);
      const button = command ? [logsButton('Full log as a file', command)] : [];
      const elements = [
        ...((base?.actions as { elements?: unknown[] } | undefined)?.elements ?? []),
        ...button,
      ];
      return {
        ...base,
        lines: [...(base?.lines ?? []), failureExcerptText(excerpt, EXCERPT_CHARS)],
        ...(elements.length > 0 ? { actions: { type: 'actions', elements } as KnownBlock } : {}),
      };
    };
  }
  return out;
}
