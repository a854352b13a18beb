import type { DriftItem } from '../../handlers/promote/drift.js';
import { escapeText } from './format.js';
import { codeSpan as code } from './logs.js';

/** The promote card's drift section: mrkdwn, with everything from DigitalOcean escaped. */

const dollars = (n: number) => `$${Number.isInteger(n) ? n : n.toFixed(2)}`;

function driftLine(d: DriftItem, from: string, to: string): string {
  switch (d.kind) {
    case 'env_keys':
      return `env var keys ${d.component ? `of ${code(d.component)}` : 'of the whole app'} only in ${d.env}: ${d.keys.map(code).join(', ')}`;
    case 'instances':
      return `${code(d.component)} instances: ${from} ${escapeText(d.from)}, ${to} ${escapeText(d.to)}`;
    case 'job_only_in':
      return `job ${code(d.job)} (${escapeText(d.jobKind)}) only in ${d.env}`;
    case 'job_kind':
      return `job ${code(d.job)} runs as ${escapeText(d.from)} in ${from}, ${escapeText(d.to)} in ${to}`;
    case 'cost':
      return `monthly cost of ${to} after the update: ${dollars(d.before)} -> ${dollars(d.after)} (DigitalOcean's propose)`;
    case 'cost_unknown':
      return `monthly cost of ${to} after the update could not be checked: ${escapeText(d.why)}`;
  }
}

/** Lines for the approval card, mrkdwn with everything from DigitalOcean escaped. */
export function describeDrift(items: DriftItem[], from: string, to: string): string[] {
  if (items.length === 0) {
    return [
      `Besides the builds, the ${from} and ${to} specs do not differ in env var keys, instances or jobs.`,
    ];
  }
  const lines = items.map((d) => driftLine(d, from, to));
  return [`Not carried by the promotion (${to} keeps its own):`, ...lines.map((l) => `- ${l}`)];
}
