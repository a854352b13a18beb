import { configJsonSchema } from './issues.js';

/**
 * docs/configuration.md, generated from the schema's `.describe()` texts so the
 * reference cannot drift from what dockside accepts (a test compares them).
 */

interface Node {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Node>;
  required?: string[];
  additionalProperties?: Node | boolean;
  propertyNames?: Node;
  items?: Node;
  oneOf?: Node[];
  anyOf?: Node[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  format?: string;
}

export interface ReferenceRow {
  path: string;
  type: string;
  required: boolean;
  default: string;
  description: string;
}

function typeOf(node: Node): string {
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  if (node.enum) return `one of ${node.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  const t = Array.isArray(node.type) ? node.type.join(' or ') : node.type;
  if (t === 'array') return `list of ${node.items ? typeOf(node.items) : 'values'}`;
  if (t === 'object') return node.properties ? 'mapping' : 'mapping of name to entry';
  if (t === 'integer' || t === 'number') {
    const word = t === 'integer' ? 'whole number' : 'number';
    const max =
      node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
    const lo =
      node.minimum ?? (node.exclusiveMinimum !== undefined ? `>${node.exclusiveMinimum}` : undefined);
    const range =
      lo !== undefined && max !== undefined ? ` ${lo}–${max}` : lo !== undefined ? ` ≥ ${lo}` : '';
    return `${word}${range.replace('≥ >', '> ')}`;
  }
  if (t === 'string') return node.format === 'uri' ? 'URL' : 'text';
  if (t === 'boolean') return 'true / false';
  return t ?? 'value';
}

function defaultOf(node: Node): string {
  if (node.default === undefined) return '';
  const v = node.default;
  const text = JSON.stringify(v);
  if (typeof v === 'object' && v !== null && text.length > 60) return '(see fields)';
  return `\`${text}\``;
}

function walk(node: Node, path: string, required: boolean, rows: ReferenceRow[], qualifier = ''): void {
  const branches = node.oneOf ?? node.anyOf;
  if (branches) {
    rows.push({
      path,
      type: 'one of the forms below',
      required,
      default: defaultOf(node),
      description: node.description ?? '',
    });
    for (const branch of branches) {
      const kind = branch.properties?.type?.const;
      walk(branch, path, required, rows, kind !== undefined ? ` (type: ${String(kind)})` : '');
    }
    return;
  }
  // A union's forms are listed under the union's path, each named by its `type`.
  if (path) {
    rows.push({
      path: path + qualifier,
      type: typeOf(node),
      required,
      default: defaultOf(node),
      description: node.description ?? '',
    });
  }
  if (node.properties) {
    const req = new Set(node.required ?? []);
    for (const [key, child] of Object.entries(node.properties)) {
      walk(child, path ? `${path}.${key}` : key, req.has(key), rows);
    }
  } else if (typeof node.additionalProperties === 'object') {
    walk(node.additionalProperties, `${path}.<name>`, false, rows);
  } else if (node.items?.properties) {
    walk(node.items, `${path}[]`, false, rows);
  }
}

export function referenceRows(): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  walk(configJsonSchema() as Node, '', true, rows);
  return rows;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderReference(): string {
  const lines = [
    '# dockside.yml reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run schema`; do not edit by hand. -->',
    '',
    'Every field dockside reads, its type, default and meaning. `<name>` is a name you choose',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is dockside.yml's own interpolation syntax
    '(lowercase letters, digits, `-` and `_`). `${VAR}` in any value is replaced from the',
    'environment. `dockside config check [file]` reports every problem at once;',
    'with `--connect` it also reaches Redis, DigitalOcean, the databases and Slack.',
    '',
    '| field | type | required | default | meaning |',
    '| --- | --- | --- | --- | --- |',
    ...referenceRows().map(
      (r) =>
        `| \`${r.path}\` | ${cell(r.type)} | ${r.required && !r.default ? 'yes' : ''} | ${cell(r.default)} | ${cell(r.description)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
