import { CliError } from './cli-error.js';

/**
 * Commands whose own `-r, --remote NAME` names a git remote to write (Heroku's `create -r`,
 * `git:remote -r`): there `-r` is theirs, not the app's remote.
 */
export const commandsWithOwnRemote: ReadonlySet<string> = new Set(['git:remote', 'apps:create', 'create']);

/**
 * Heroku's `-r REMOTE` / `--remote REMOTE` / `--remote=REMOTE` on any app command: the app is the
 * one that git remote points at. Taken out of `argv` before commander parses it (so every command
 * has it without declaring it); nothing after `--` is looked at (`paas run -- cmd -r x`).
 */
export function extractRemoteOption(argv: readonly string[]): { argv: string[]; remote: string | undefined } {
  if (argv[0] === undefined || commandsWithOwnRemote.has(argv[0])) return { argv: [...argv], remote: undefined };
  const out: string[] = [];
  let remote: string | undefined;
  const take = (value: string | undefined, flag: string): void => {
    if (value === undefined || value === '' || value.startsWith('-')) throw new CliError(`${flag} needs a git remote name, e.g. ${flag} staging`);
    if (remote !== undefined && remote !== value) throw new CliError(`two different remotes given: ${remote} and ${value}`);
    remote = value;
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (arg === '-r' || arg === '--remote') take(argv[++i], arg);
    else if (arg.startsWith('--remote=')) take(arg.slice('--remote='.length), '--remote');
    else out.push(arg);
  }
  return { argv: out, remote };
}
