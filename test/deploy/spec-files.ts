import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** What the Dockerfile's final (runtime) stage declares. */
export interface RuntimeStage {
  env: Record<string, string>;
  copies: Array<{ from?: string; src: string; dest: string }>;
  cmd: string[];
  expose: number[];
  healthPath?: string;
  text: string;
}

const root = new URL('../../', import.meta.url);
export const repoFile = (path: string) => readFileSync(new URL(path, root), 'utf8');

export function readDockerfile(): RuntimeStage {
  const text = repoFile('Dockerfile');
  // Continuation lines joined, comments dropped, then only the last stage.
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const last = lines.findLastIndex((l) => /^FROM\s/.test(l.trim()));
  const stage = lines.slice(last);
  const env: Record<string, string> = {};
  const copies: RuntimeStage['copies'] = [];
  let cmd: string[] = [];
  const expose: number[] = [];
  let healthPath: string | undefined;
  for (const line of stage.map((l) => l.trim())) {
    const [word, ...restParts] = line.split(/\s+/);
    const rest = restParts.join(' ');
    if (word === 'ENV') {
      for (const m of rest.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g))
        env[m[1] ?? ''] = (m[2] ?? '').replace(/^"|"$/g, '');
    } else if (word === 'COPY') {
      const from = /--from=(\S+)/.exec(rest)?.[1];
      const parts = rest.split(/\s+/).filter((p) => !p.startsWith('--'));
      copies.push({ ...(from ? { from } : {}), src: parts[0] ?? '', dest: parts[1] ?? '' });
    } else if (word === 'CMD') {
      cmd = JSON.parse(rest) as string[];
    } else if (word === 'EXPOSE') {
      expose.push(...rest.split(/\s+/).map(Number));
    } else if (word === 'HEALTHCHECK') {
      healthPath = /'(\/[a-z]+)'/.exec(rest)?.[1];
    }
  }
  return { env, copies, cmd, expose, ...(healthPath ? { healthPath } : {}), text };
}

export interface AppSpecEnv {
  key: string;
  value?: string;
  type?: string;
  scope?: string;
}

export interface AppSpec {
  services: Array<{
    name: string;
    http_port: number;
    dockerfile_path: string;
    github?: { repo: string };
    health_check?: { http_path: string };
    envs: AppSpecEnv[];
    routes?: unknown;
  }>;
  ingress?: {
    rules: Array<{
      match: { path: { prefix: string } };
      component?: { name: string; preserve_path_prefix?: boolean };
    }>;
  };
  databases?: Array<{ name: string; engine: string }>;
}

export function readAppSpec(): AppSpec {
  return parse(repoFile('.do/app.yaml')) as AppSpec;
}
