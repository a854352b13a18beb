/**
 * Remote commands as values (Kamal's habit): each step builds an argv array, nothing
 * runs here, so every command is plain data a test or a dry run can read. Only
 * `toShell` turns one into the single string an SSH exec carries, quoting every word.
 */
export interface RemoteCommand {
  argv: readonly string[];
  /** Text fed to the command's stdin (e.g. the release file's content). */
  stdin?: string;
}

/** A word as POSIX sh reads it literally: bare when it is safe, else in single quotes. */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function toShell(command: RemoteCommand): string {
  if (command.argv.length === 0) throw new Error('a remote command needs at least a program');
  return command.argv.map(shellQuote).join(' ');
}

export function cmd(...argv: string[]): RemoteCommand {
  return { argv };
}
