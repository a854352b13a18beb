import type { ChecklistItem } from '../../handlers/deploy/verify/types.js';
import { escapeText, truncate } from './format.js';

const SAMPLE_CHARS = 200;

/**
 * The checklist a verified deployment message ends with: ✅/❌, what was checked, what
 * was seen. Labels, details and log samples come from apps and DigitalOcean: escaped.
 */
export function checklistLines(items: readonly ChecklistItem[]): string[] {
  return items.map((item) => {
    const head = `${item.ok ? ':white_check_mark:' : ':x:'} ${escapeText(item.label)}: ${escapeText(item.detail)}`;
    const command = item.command ? ` (\`${escapeText(item.command, 'code')}\`)` : '';
    const samples = item.samples?.length
      ? `\n\`\`\`${item.samples.map((s) => escapeText(truncate(s, SAMPLE_CHARS), 'code')).join('\n')}\`\`\``
      : '';
    return `${head}${command}${samples}`;
  });
}
