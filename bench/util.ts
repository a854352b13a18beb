import { readFileSync } from 'node:fs';

/** The V8 flags dockside runs with (package.json `start`, Dockerfile CMD); both bench children get them. */
export const NODE_FLAGS = ['--max-semi-space-size=4'];

/** Child processes need tsx only when the bench runs from TypeScript sources (not from dist/). */
export function tsLoader(): string[] {
  return import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [];
}

/** Resident and peak resident memory of a process, in MB (Linux /proc). */
export function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
