import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One simulated Droplet's files, as the `docker` stand-in (fake-docker.ts) keeps them:
 * `root` is what the host sees at the configured root (its compose and release files),
 * `state` the stand-in's own records (commands, migrations, images, what runs, and the
 * switches that make it fail or turn unhealthy). The tests' sshd hosts and the
 * sandbox's in-process hosts both read and steer a host through this.
 */
export interface HostState {
  /** docker calls, oldest first, each as its argv. */
  commands(): string[][];
  clearCommands(): void;
  /** `service<TAB>command` per migration run. */
  migrations(): string[];
  /** The release file as the host has it (undefined when absent). */
  releaseFile(): string | undefined;
  /** What `up -d` last started (the env file it read). */
  running(): string | undefined;
  /** Puts a release in place as if deployed earlier: file, images, running containers. */
  seed(releaseEnv: string): void;
  /** Makes it a host that was never deployed: no release file, nothing running, no images. */
  wipe(): void;
  failOn(subcommand: 'pull' | 'up' | 'exec' | 'logs' | 'inspect' | undefined): void;
  unhealthyWhen(text: string | undefined): void;
  /** Seconds each docker call takes. */
  delay(seconds: number | undefined): void;
  forgetImages(): void;
}

export interface HostDirs {
  /** The host's view of the configured root: `compose/docker-compose.prod.yml`, `compose/release.env`. */
  root: string;
  state: string;
}

/** Creates the directories of a host and returns the handle on them. `own` hands a path to the host's user. */
export function createHostState(dirs: HostDirs, own: (file: string) => void = () => {}): HostState {
  const { root, state } = dirs;
  const compose = path.join(root, 'compose');
  const images = path.join(state, 'images');
  for (const d of [root, compose, state, images]) {
    mkdirSync(d, { recursive: true });
    own(d);
  }
  const composeFile = path.join(compose, 'docker-compose.prod.yml');
  writeFileSync(composeFile, 'services: {}\n');
  own(composeFile);

  const file = (name: string) => path.join(state, name);
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  const write = (p: string, text: string) => {
    writeFileSync(p, text);
    own(p);
  };
  const setFlag = (name: string, value: string | undefined) => {
    if (value === undefined) rmSync(file(name), { force: true });
    else write(file(name), value);
  };
  const forgetImages = () => {
    rmSync(images, { recursive: true, force: true });
    mkdirSync(images);
    own(images);
  };
  return {
    commands: () =>
      (read(file('commands.log')) ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')),
    clearCommands: () => rmSync(file('commands.log'), { force: true }),
    migrations: () => (read(file('migrations.log')) ?? '').split('\n').filter(Boolean),
    releaseFile: () => read(path.join(compose, 'release.env')),
    running: () => read(file('running.env')),
    seed(releaseEnv) {
      write(path.join(compose, 'release.env'), releaseEnv);
      write(file('running.env'), releaseEnv);
      for (const l of releaseEnv.split('\n')) {
        const ref = l.split('=')[1];
        if (ref) write(path.join(images, ref.replace(/[/:@]/g, '_')), '');
      }
    },
    wipe() {
      rmSync(path.join(compose, 'release.env'), { force: true });
      rmSync(file('running.env'), { force: true });
      forgetImages();
    },
    failOn: (sub) => setFlag('fail-on', sub),
    unhealthyWhen: (text) => setFlag('unhealthy-when', text),
    delay: (seconds) => setFlag('delay', seconds === undefined ? undefined : String(seconds)),
    forgetImages,
  };
}
