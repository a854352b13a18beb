/** Helpers for walking parser output as plain JSON, without trusting its declared types. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Calls visit(key, value) for every property of every object in the tree, depth first. */
export function walk(node: unknown, visit: (key: string, value: Json, parent: JsonObject) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    visit(key, value, node);
    walk(value, visit);
  }
}

/** True when pred holds for some object in the tree. */
export function some(node: unknown, pred: (obj: JsonObject) => boolean): boolean {
  if (Array.isArray(node)) return node.some((n) => some(n, pred));
  if (!isObject(node)) return false;
  if (pred(node)) return true;
  return Object.values(node).some((v) => some(v, pred));
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
