import { execFile } from 'node:child_process';
import { chmod, mkdir, rename, rm, stat, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The compiled hook program (the hook always runs from dist/, built by `npm run build`). */
export const defaultHookProgram = fileURLToPath(new URL('./pre-receive-hook.js', import.meta.url)).replace(
  /\/src\/git\/pre-receive-hook\.js$/,
  '/dist/git/pre-receive-hook.js',
);

/** Settings the pre-receive hook reads: where to send the pushed tree, and the token proving it is the hook. */
export interface HookSettings {
  url: string;
  token: string;
}

export const hookSettingsFile = '.paas-hook.json';

/**
 * Bare git repositories, one per app, each with a pre-receive hook that hands the pushed commit to
 * the controller and relays the build's output to the pusher.
 */
export interface RepoManagerOptions {
  /** git's receive.maxInputSize on every repo: a larger pack is refused by receive-pack itself (PAAS_MAX_PUSH_MB). */
  maxPushBytes?: number;
  hookProgram?: string;
  nodePath?: string;
}

export class RepoManager {
  private readonly hookProgram: string;
  private readonly nodePath: string;

  constructor(
    readonly reposDir: string,
    private readonly options: RepoManagerOptions = {},
  ) {
    this.hookProgram = options.hookProgram ?? defaultHookProgram;
    this.nodePath = options.nodePath ?? process.execPath;
  }

  path(app: string): string {
    return join(this.reposDir, `${app}.git`);
  }

  async writeHookSettings(settings: HookSettings): Promise<void> {
    await mkdir(this.reposDir, { recursive: true, mode: 0o700 });
    await writeFile(join(this.reposDir, hookSettingsFile), JSON.stringify(settings), { mode: 0o600 });
  }

  async create(app: string): Promise<void> {
    const dir = this.path(app);
    await mkdir(this.reposDir, { recursive: true, mode: 0o700 });
    if (!(await exists(dir))) await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', dir]);
    await this.installHook(app);
  }

  /**
   * Sets the repo's receive.maxInputSize (git refuses a larger pack before storing it, with
   * `fatal: pack exceeds maximum allowed size`). The pushed tree can be far larger than its
   * compressed pack: the push service checks the tree too (pushed-tree.ts).
   */
  private async limitInput(app: string): Promise<void> {
    if (this.options.maxPushBytes === undefined) return;
    await run('git', ['config', '--file', join(this.path(app), 'config'), 'receive.maxInputSize', String(this.options.maxPushBytes)]);
  }

  async installHook(app: string): Promise<void> {
    await this.limitInput(app);
    const hook = join(this.path(app), 'hooks', 'pre-receive');
    const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    await writeFile(hook, `#!/bin/sh\nexec ${quote(this.nodePath)} ${quote(this.hookProgram)} "$@"\n`);
    await chmod(hook, 0o755);
  }

  /** Rewrites every repo's hook (the checkout or the node binary may have moved since it was made) and its input limit. */
  async installAllHooks(): Promise<void> {
    const names = await readdir(this.reposDir).catch(() => [] as string[]);
    for (const name of names) if (name.endsWith('.git')) await this.installHook(name.slice(0, -4));
  }

  /** Whether a repository of that name is on disk. */
  exists(app: string): Promise<boolean> {
    return exists(this.path(app));
  }

  /**
   * Moves an app's repository to its new name (`paas rename`). The hook reads the app's name from
   * the directory's, so pushes to the new remote reach the renamed app at once.
   */
  async rename(from: string, to: string): Promise<void> {
    if (await exists(this.path(to))) throw new Error(`a repository named ${to} is already there`);
    if (!(await exists(this.path(from)))) return this.create(to);
    await rename(this.path(from), this.path(to));
  }

  async remove(app: string): Promise<void> {
    await rm(this.path(app), { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
