import { z } from 'zod';
import { cronProblem, timeZoneProblem } from './formats.js';

/** Field types shared by the sections of dockside.yml's schema (schema.ts and the schema-*.ts beside it). */

export const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a name of lowercase letters, digits, "-" and "_" (at most 40)');
// Slack shows these ids, not names, in its UI: the messages say where.
export const channelId = z
  .string()
  .regex(
    /^[CGD][A-Z0-9]{2,}$/,
    "a Slack channel id such as C0123456789, not its name (the channel's details, at the bottom of About)",
  );
export const userId = z
  .string()
  .regex(
    /^[UW][A-Z0-9]{2,}$/,
    "a Slack user id such as U0123ABCD (the person's profile -> ⋮ -> Copy member ID)",
  );
export const usergroupId = z
  .string()
  .regex(
    /^S[A-Z0-9]{2,}$/,
    "a Slack user group id such as S0123ABCD (the group's page; its URL ends with it)",
  );
export const httpUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL' });
/**
 * DigitalOcean ids (apps, database clusters). That they are UUIDs is checked with the
 * cross-references (src/config/references.ts), so code that builds a Config in memory
 * (tests, the sandbox) may use short ids.
 */
export const doId = z.string().min(1);
export const cron = z
  .string()
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('Cron expression: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5".');
export const timezone = z
  .string()
  .superRefine((value, ctx) => {
    const problem = timeZoneProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .default('UTC')
  .describe('IANA time zone the cron expression is read in, e.g. Europe/Berlin.');
export const schedule = z.strictObject({ cron, timezone });
