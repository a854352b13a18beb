/** One thing `config check --connect` tried, and what it found, in words. */
export interface Finding {
  /** `Redis`, `DigitalOcean GET /v2/apps/{id} (web/staging)`, `database main`, `Slack auth.test`. */
  what: string;
  level: 'ok' | 'warn' | 'fail';
  detail: string;
  hint?: string;
}

export const MARK: Record<Finding['level'], string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };
