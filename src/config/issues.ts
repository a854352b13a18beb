import { z } from 'zod';
import { didYouMean } from './formats.js';
import type { ConfigProblem } from './problems.js';
import { Config } from './schema.js';

/**
 * zod's issues in words a person setting up dockside understands, each with the path
 * of the field and, where one can be guessed, the fix ("did you mean `ops`?").
 */

type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
};

let cached: JsonSchema | undefined;
export function configJsonSchema(): JsonSchema {
  cached ??= z.toJSONSchema(Config, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return cached;
}

function branches(node: JsonSchema): JsonSchema[] {
  return node.oneOf ?? node.anyOf ?? [node];
}

/** The JSON Schema of the field at `path`; a union is narrowed by the `type` the document gives. */
export function schemaAt(path: readonly PropertyKey[], doc: unknown): JsonSchema | undefined {
  let node: JsonSchema | undefined = configJsonSchema();
  let value: unknown = doc;
  for (const key of path) {
    if (!node) return undefined;
    node = narrow(node, value);
    if (typeof key === 'number') node = node.items;
    else {
      const k = String(key);
      node =
        node.properties?.[k] ??
        (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    }
    value =
      isRecord(value) || Array.isArray(value) ? (value as Record<string, unknown>)[key as string] : undefined;
  }
  return node ? narrow(node, value) : undefined;
}

function narrow(node: JsonSchema, value: unknown): JsonSchema {
  const options = branches(node);
  if (options.length === 1) return options[0] ?? node;
  const type = isRecord(value) ? value.type : undefined;
  const match = options.find((o) => o.properties?.type?.const === type);
  if (match) return match;
  // Unknown discriminator: every key any branch knows.
  return {
    properties: Object.assign({}, ...options.map((o) => o.properties ?? {})),
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  record: 'a mapping (key: value lines)',
  array: 'a list',
};

function found(input: unknown): string {
  if (input === null) return 'nothing (null)';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return 'text';
  if (typeof input === 'number') return `the number ${input}`;
  return `${typeof input} ${String(input)}`;
}

function entries(n: number): string {
  return `${n} ${n === 1 ? 'entry' : 'entries'}`;
}

/**
 * One issue as problems (an unknown-keys issue names each key on its own line).
 * `doc` is the document after ${VAR} replacement, for the known keys of unions;
 * `showInput` allows quoting the bad value (false for values from the environment).
 */
export function describeIssue(issue: z.core.$ZodIssue, doc: unknown, showInput = false): ConfigProblem[] {
  const path = pathText(issue.path);
  const field = schemaAt(issue.path, doc);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      if (issue.input === undefined) {
        return [
          {
            path,
            message: 'is missing',
            ...(field?.description ? { hint: `Add it: ${field.description}` } : {}),
          },
        ];
      }
      return [{ path, message: `must be ${expected}, not ${found(issue.input)}` }];
    }
    case 'unrecognized_keys': {
      const known = Object.keys(field?.properties ?? {});
      return issue.keys.map((key) => {
        const guess = didYouMean(key, known);
        return {
          path: path ? `${path}.${key}` : key,
          message: `is not a setting dockside knows${guess ? `; did you mean "${guess}"?` : ''}`,
          hint: known.length > 0 ? `Known here: ${known.join(', ')}.` : 'Remove it.',
        };
      });
    }
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const given = typeof issue.input === 'string' ? issue.input : undefined;
      const guess = given ? didYouMean(given, allowed) : undefined;
      return [
        {
          path,
          message: `${given !== undefined ? `"${given}"` : found(issue.input)} is not allowed${guess ? `; did you mean "${guess}"?` : ''}`,
          hint: `Use one of: ${allowed.join(', ')}.`,
        },
      ];
    }
    case 'invalid_union': {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      const options = (issue as { options?: unknown[] }).options?.map(String) ?? [];
      if (discriminator) {
        const value = isRecord(issue.input) ? issue.input[discriminator] : undefined;
        const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
        return [
          {
            path,
            message:
              value === undefined
                ? 'is missing'
                : `"${String(value)}" is not allowed${guess ? `; did you mean "${guess}"?` : ''}`,
            hint: `Use one of: ${options.join(', ')}.`,
          },
        ];
      }
      return [{ path, message: 'does not match any of the allowed forms' }];
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') {
        return [{ path, message: `needs at least ${entries(min)}` }];
      }
      if (issue.origin === 'string') {
        return [{ path, message: min <= 1 ? 'must not be empty' : `must be at least ${min} characters` }];
      }
      return [{ path, message: issue.inclusive ? `must be at least ${min}` : `must be greater than ${min}` }];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'set') {
        return [{ path, message: `may have at most ${entries(max)}` }];
      }
      if (issue.origin === 'string') return [{ path, message: `must be at most ${max} characters` }];
      return [{ path, message: issue.inclusive ? `must be at most ${max}` : `must be less than ${max}` }];
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'not a valid name';
      return [{ path, message: `"${String(issue.path.at(-1))}" is not a valid name: it must be ${inner}` }];
    }
    case 'invalid_format': {
      // Only values written in the file itself are echoed: one from ${VAR} may be a secret.
      const input = (issue as { input?: unknown }).input;
      const echo = showInput && typeof input === 'string' && input.length <= 40 && !/:\/\//.test(input);
      return [
        { path, message: echo ? `is "${input}"; it must be ${issue.message}` : `must be ${issue.message}` },
      ];
    }
    default:
      return [{ path, message: issue.message }];
  }
}
