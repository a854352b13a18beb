import { z } from 'zod';
import { httpUrl } from './schema-fields.js';

/**
 * `verify:` of an env: what dockside checks after a deployment went ACTIVE (issue 11).
 * The semantics live in handlers/deploy/verify/*; the texts here are what
 * docs/configuration.md says about them.
 */

/** `90s`, `5m`, `1500ms`: a duration as people write it in YAML. */
export const DURATION = /^(\d{1,7})(ms|s|m)$/;
export const MAX_WINDOW_MS = 30 * 60_000;

export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
}

const duration = z.string().superRefine((value, ctx) => {
  const ms = durationMs(value);
  if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: 'a duration such as 90s or 5m' });
  else if (ms < 1000 || ms > MAX_WINDOW_MS) ctx.addIssue({ code: 'custom', message: 'between 1s and 30m' });
});

const jsonScalar = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .describe('The exact value the field must have (same JSON type: 200 is not "200").');

export const VerifyHealthCheck = z
  .strictObject({
    url: httpUrl.describe('URL fetched with GET after the deployment went ACTIVE.'),
    status: z.number().int().min(100).max(599).optional().describe('Expected HTTP status. Default: any 2xx.'),
    json: z
      .record(z.string().min(1), jsonScalar)
      .optional()
      .describe(
        'Expected fields of the JSON body, by name or dotted path (`checks.db`), each with its exact value: `{ db: ok }` passes when the body has `"db": "ok"`.',
      ),
  })
  .describe('One health URL and what it must answer.');
export type VerifyHealthCheck = z.infer<typeof VerifyHealthCheck>;

export const DEFAULT_LOG_PATTERN = 'error|exception|panic|fatal';

export const VerifyLogs = z
  .strictObject({
    window: duration
      .default('5m')
      .describe(
        'How long the new deployment runs before its runtime log is judged (`90s`, `5m`; at most 30m). The verification, and the final message, wait for it.',
      ),
    pattern: z
      .string()
      .min(1)
      .max(200)
      .default(DEFAULT_LOG_PATTERN)
      .describe(
        'RE2 regular expression, case-insensitive (as `/logs --grep`): a runtime log line that matches counts as an error line.',
      ),
    component: z
      .string()
      .min(1)
      .optional()
      .describe('Read the runtime log of this component only. Default: every component.'),
    allowed_lines: z
      .number()
      .int()
      .min(0)
      .default(3)
      .describe(
        'Error lines in the window that never fail the check, whatever the previous deployment did (so 0 -> 1 line is not a failure). 0: any error line counts.',
      ),
    factor: z
      .number()
      .min(1)
      .max(100)
      .default(2)
      .describe(
        "How much worse than the previous deployment the rate may get: the check fails when the new deployment's error lines per minute exceed `factor` times the previous deployment's (over its last window) and there are more than `allowed_lines` of them.",
      ),
  })
  .describe(
    "Runtime-log check: error lines per minute of the new deployment's window against the previous deployment's last window.",
  );
export type VerifyLogs = z.infer<typeof VerifyLogs>;

export const VerifyConfig = z
  .strictObject({
    health: z
      .array(VerifyHealthCheck)
      .max(10)
      .optional()
      .describe(
        'Health URLs checked as soon as the deployment is ACTIVE; a failing one ends verification at once (no window wait). Default: health_url, judged as /health does.',
      ),
    logs: VerifyLogs.optional().describe(
      'Compare the runtime error rate with the previous deployment. Absent: no log window.',
    ),
    jobs: z
      .boolean()
      .default(true)
      .describe(
        "Report the deployment's PRE_DEPLOY and POST_DEPLOY job invocations (migrations); one that did not succeed fails the check.",
      ),
  })
  .describe(
    'Post-deploy verification: after ACTIVE, dockside checks these and ends the deployment message with a checklist. A failed item rolls back (auto_rollback) or offers a Roll back button.',
  );
export type VerifyConfig = z.infer<typeof VerifyConfig>;
