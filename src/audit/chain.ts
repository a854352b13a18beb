import { createHash } from 'node:crypto';
import { scrub } from '../secrets.js';
import type { AuditEntry, AuditEntryInput } from './types.js';

export const GENESIS = 'genesis';

/** JSON with object keys sorted at every level, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

export function hashEntry(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256')
    .update(`${entry.prev}\n${canonicalJson({ ...entry, hash: undefined })}`)
    .digest('hex');
}

/** Ids are the chain position, zero-padded so they sort as text the same way as numbers. */
export function idForSeq(seq: number): string {
  return String(seq).padStart(12, '0');
}

function scrubRecord<T extends string | number | boolean>(
  record: Record<string, T> | undefined,
): Record<string, T> | undefined {
  if (!record) return undefined;
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(record)) out[scrub(k)] = (typeof v === 'string' ? scrub(v) : v) as T;
  return out;
}

/**
 * Scrubs every string and drops undefined fields, so what is stored is exactly what
 * was hashed (JSON.stringify would drop undefined anyway, and the hash must agree).
 */
export function cleanInput(input: AuditEntryInput): AuditEntryInput {
  const out: AuditEntryInput = {
    actor: scrub(input.actor),
    action: scrub(input.action),
    result: input.result,
    channel: input.channel === undefined ? undefined : scrub(input.channel),
    command: input.command === undefined ? undefined : scrub(input.command),
    app: input.app === undefined ? undefined : scrub(input.app),
    env: input.env === undefined ? undefined : scrub(input.env),
    database: input.database === undefined ? undefined : scrub(input.database),
    detail: input.detail === undefined ? undefined : scrub(input.detail),
    durationMs: input.durationMs,
    doIds: scrubRecord(input.doIds),
    ref: input.ref === undefined ? undefined : scrub(input.ref),
    data: scrubRecord(input.data),
  };
  for (const key of Object.keys(out) as Array<keyof AuditEntryInput>) {
    if (out[key] === undefined) delete out[key];
  }
  return out;
}

export function parseEntry(raw: string | null | undefined): AuditEntry | null {
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const entry = value as AuditEntry;
    if (typeof entry.id !== 'string' || typeof entry.hash !== 'string' || typeof entry.prev !== 'string')
      return null;
    return entry;
  } catch {
    return null;
  }
}
