import type { DropletsConfig } from '../../src/config/schema.js';
import { cmd, type RemoteCommand } from '../../src/ssh/command.js';

/**
 * Every remote step of a Droplet rollout as a value (Kamal's `commands/`): argv
 * arrays built from the config, never strings glued together, so a test can read
 * exactly what a host will run and nothing from a person reaches a shell unquoted.
 */
export function composeCommands(config: DropletsConfig) {
  const compose = (...args: string[]): RemoteCommand =>
    cmd(
      'docker',
      'compose',
      '--project-name',
      config.project,
      '--file',
      config.compose_file,
      '--env-file',
      config.release_file,
      ...args,
    );
  const services = Object.keys(config.services);
  return {
    /** Exit 0 with the file, or 3 when the host has none yet (a first deploy). */
    readRelease: (): RemoteCommand =>
      cmd('sh', '-c', 'if [ -f "$1" ]; then cat "$1"; else exit 3; fi', 'sh', config.release_file),
    /** Replaces the release file atomically: compose never reads half a file. */
    writeRelease: (content: string): RemoteCommand => ({
      ...cmd(
        'sh',
        '-c',
        'umask 022 && cat > "$1.dockside-new" && mv "$1.dockside-new" "$1"',
        'sh',
        config.release_file,
      ),
      stdin: content,
    }),
    pull: (): RemoteCommand => compose('pull', '--quiet', ...services),
    up: (): RemoteCommand => compose('up', '-d', '--no-build', ...services),
    migrate: (migrate: NonNullable<DropletsConfig['migrate']>): RemoteCommand =>
      compose('exec', '-T', migrate.service, 'sh', '-c', migrate.command),
    /** Asked from inside the service, so a port not published on the host still answers. */
    health: (): RemoteCommand =>
      compose(
        'exec',
        '-T',
        config.host_health.service,
        'curl',
        '-fsS',
        '--max-time',
        '5',
        '-o',
        '/dev/null',
        config.host_health.url,
      ),
    logs: (service: string, lines: number): RemoteCommand =>
      compose('logs', '--no-color', '--tail', String(lines), service),
    /** Exit 0 only when every image is already on the host (a rollback then skips the pull). */
    imagesPresent: (refs: string[]): RemoteCommand =>
      cmd('docker', 'image', 'inspect', '--format', '{{.Id}}', ...refs),
  };
}

export type ComposeCommands = ReturnType<typeof composeCommands>;
