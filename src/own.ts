/**
 * `record[key]` for the record's own keys only. Config sections are plain objects, so a
 * name a person typed such as `constructor`, `toString` or `__proto__` would otherwise
 * find something Object.prototype has and pass for an app, env or database.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string | undefined): T | undefined {
  return key !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
