import { readFileSync } from 'node:fs';
import type { ConfigProblem } from './problems.js';

export interface ConfigSource {
  /** What to call the config in messages: `DOCKSIDE_CONFIG_YAML` or the file path. */
  name: string;
  text?: string;
  problem?: ConfigProblem;
}

/**
 * Where the config comes from: DOCKSIDE_CONFIG_YAML (the whole text, for platforms
 * without files such as App Platform) wins over the file at DOCKSIDE_CONFIG.
 */
export function readConfigSource(env: Record<string, string | undefined>, file?: string): ConfigSource {
  if (!file && env.DOCKSIDE_CONFIG_YAML?.trim()) {
    return { name: 'DOCKSIDE_CONFIG_YAML', text: env.DOCKSIDE_CONFIG_YAML };
  }
  const path = file ?? (env.DOCKSIDE_CONFIG || './dockside.yml');
  try {
    return { name: path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    const missing = (err as { code?: string }).code === 'ENOENT';
    return {
      name: path,
      problem: {
        path: '',
        message: missing ? 'does not exist' : 'cannot be read',
        hint: file
          ? 'Check the path'
          : "Set DOCKSIDE_CONFIG_YAML to the config's text (App Platform), or DOCKSIDE_CONFIG to its path; dockside.example.yml is a start",
      },
    };
  }
}
