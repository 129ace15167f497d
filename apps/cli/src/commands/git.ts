import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { defaultRemote } from '../app-inference.js';
import { CliError } from '../cli-error.js';
import type { App } from '../api-client.js';
import type { Context } from '../context.js';
import { git, isInsideGitRepo, remoteUrl } from '../git.js';
import type { Input } from '../io.js';
import { shellQuote } from '../shell-quote.js';

/** `git:remote`, and the hidden `git:credential` helper git calls during a push. */
export function registerGitCommands(program: Command, ctx: Context): void {
  program
    .command('git:remote')
    .description('add a git remote for an app (with a credential helper; the token never goes into the URL)')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('-r, --remote <name>', 'the git remote name', defaultRemote)
    .action((opts: { app?: string; remote: string }) => gitRemote(ctx, opts));

  program
    .command('git:credential', { hidden: true })
    .description("git's credential helper protocol: answers `get` with the paas API token")
    .argument('<operation>', 'get, store or erase')
    .action((operation: string) => gitCredential(ctx, operation));
}

export async function gitRemote(ctx: Context, opts: { app?: string; remote: string }): Promise<void> {
  if (!(await isInsideGitRepo(ctx.cwd))) {
    throw new CliError('not inside a git repository; run git init first (or cd into your app)');
  }
  checkRemoteName(opts.remote);
  const appName = await ctx.app(opts.app);
  await addGitRemote(ctx, await (await ctx.client()).getApp(appName), opts.remote);
}

/** Points the git remote `remote` of the repo at `cwd` at the app, with the credential helper for its origin. */
export async function addGitRemote(ctx: Context, app: Pick<App, 'git_url'>, remote: string, o: { quiet?: boolean } = {}): Promise<void> {
  const gitUrl = new URL(app.git_url);
  if (gitUrl.username !== '' || gitUrl.password !== '') {
    throw new CliError(`the API returned a git URL with credentials in it; refusing to store it in .git/config`);
  }

  const existing = await remoteUrl(ctx.cwd, remote);
  await git(['remote', existing === undefined ? 'add' : 'set-url', remote, app.git_url], ctx.cwd);

  // git reads helpers in config order; an empty value drops those configured before it (e.g. globally).
  const key = `credential.${gitUrl.origin}.helper`;
  await git(['config', '--local', '--replace-all', key, ''], ctx.cwd);
  await git(['config', '--local', '--add', key, credentialHelper(ctx)], ctx.cwd);

  if (!o.quiet) ctx.print(`set git remote ${remote} to ${app.git_url}`);
  const { apiUrl } = await ctx.session();
  if (sameOrigin(apiUrl, gitUrl.origin) === false) {
    ctx.warn(
      `warning: the git URL's origin ${gitUrl.origin} differs from the API URL ${apiUrl}; ` +
        'the credential helper only answers for the API URL',
    );
  }
}

export function checkRemoteName(remote: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(remote)) throw new CliError(`invalid git remote name '${remote}'`);
}

/** `!'/abs/bin/paas' git:credential`, with `PAAS_HOME=…` in front when it is set, so git finds our config. */
export function credentialHelper(ctx: Context): string {
  const words = ctx.selfCommand.map(shellQuote);
  const home = ctx.env.homeFromEnv ? `PAAS_HOME=${shellQuote(ctx.env.home)} ` : '';
  return `!${home}${words.join(' ')} git:credential`;
}

export async function gitCredential(ctx: Context, operation: string): Promise<void> {
  const request = await readCredentialRequest(ctx.io.stdin);
  if (operation !== 'get') return; // store and erase: the token lives in cli.json, nothing to do
  const session = await ctx.session();
  if (session.token === undefined) return; // git falls back to its other helpers or a prompt
  const protocol = request.get('protocol');
  const host = request.get('host');
  if (protocol === undefined || host === undefined) return;
  if (!sameOrigin(session.apiUrl, `${protocol}://${host}`)) return;
  ctx.io.stdout.write(`username=paas\npassword=${session.token}\n`);
}

/** git's `key=value` lines on stdin, up to a blank line or the end. */
async function readCredentialRequest(stdin: Input): Promise<Map<string, string>> {
  const attributes = new Map<string, string>();
  const rl = createInterface({ input: stdin, terminal: false });
  try {
    for await (const line of rl) {
      if (line === '') break;
      const eq = line.indexOf('=');
      if (eq > 0) attributes.set(line.slice(0, eq), line.slice(eq + 1));
    }
  } finally {
    rl.close();
  }
  return attributes;
}

/** Whether two URLs share protocol, host and port (default ports normalised); undefined if one is not a URL. */
export function sameOrigin(a: string, b: string): boolean | undefined {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return undefined;
  }
}
