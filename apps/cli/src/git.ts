import { execFile } from 'node:child_process';
import { CliError } from './cli-error.js';

/** Runs git with an argument array (never a shell string) in `cwd`; resolves with its trimmed stdout. */
export function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          reject(new CliError('git is not installed (or not on PATH); paas needs it for this command'));
          return;
        }
        const detail = String(stderr).trim() || err.message;
        reject(new GitError(`git ${args.join(' ')} failed: ${detail}`, typeof code === 'number' ? code : 1));
        return;
      }
      resolve(String(stdout).trim());
    });
  });
}

export class GitError extends CliError {
  readonly gitExitCode: number;

  constructor(message: string, gitExitCode: number) {
    super(message);
    this.name = 'GitError';
    this.gitExitCode = gitExitCode;
  }
}

/** Whether `cwd` is inside a git work tree. */
export async function isInsideGitRepo(cwd: string): Promise<boolean> {
  try {
    return (await git(['rev-parse', '--is-inside-work-tree'], cwd)) === 'true';
  } catch (err) {
    if (err instanceof GitError) return false;
    throw err;
  }
}

/** The URL of a remote, or undefined when the remote (or the repo) does not exist. */
export async function remoteUrl(cwd: string, remote: string): Promise<string | undefined> {
  try {
    const url = await git(['remote', 'get-url', remote], cwd);
    return url === '' ? undefined : url;
  } catch (err) {
    if (err instanceof GitError) return undefined;
    throw err;
  }
}
