import type { Command } from 'commander';
import { appNameRule, isValidAppName } from '@paas/shared';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { relativeTime } from '../relative-time.js';
import { formatKeyValues } from '../table.js';
import { renameAppCall } from '../lifecycle-client.js';
import { defaultRemote } from '../app-inference.js';
import { isInsideGitRepo, remoteUrl } from '../git.js';
import { openInBrowser } from '../browser.js';
import { addGitRemote, checkRemoteName } from './git.js';

/** `apps`, `apps:create`, `apps:info`, `apps:rename`, `apps:destroy`. */
export function registerAppsCommands(program: Command, ctx: Context): void {
  program
    .command('apps')
    .description('list your apps')
    .option('--json', 'output as JSON')
    .action((opts: { json?: boolean }) => listApps(ctx, opts));

  program
    .command('apps:create')
    .alias('create')
    .description('create an app (inside a git repository, also adds the git remote paas for it)')
    .argument('<name>', 'the app name (lowercase letters, digits and dashes)')
    .option('-r, --remote <name>', 'the git remote to add', defaultRemote)
    .option('--no-remote', 'do not add a git remote')
    .option('--json', 'output as JSON')
    .action((name: string, opts: { json?: boolean; remote: string | false }) => createApp(ctx, name, opts));

  program
    .command('apps:open')
    .alias('open')
    .description("open an app's web URL in a browser (PATH appended), or print it when there is none")
    .argument('[path]', 'a path on the app, e.g. /admin')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .action((path: string | undefined, opts: { app?: string }) => openApp(ctx, path, opts));

  program
    .command('apps:info')
    .alias('info')
    .description("show an app's URLs, owner, release and processes")
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => appInfo(ctx, opts));

  program
    .command('apps:rename')
    .alias('rename')
    .description("rename an app: its git remote, web URL and internal name (updates this repository's paas remote)")
    .argument('<newname>', 'the new name (lowercase letters, digits and dashes)')
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('-r, --remote <name>', 'the git remote to update when it points at the app', defaultRemote)
    .action((newName: string, opts: { app?: string; remote: string }) => renameApp(ctx, newName, opts));

  program
    .command('apps:destroy')
    .alias('destroy')
    .description('permanently destroy an app')
    .argument('[name]', 'the app to destroy')
    .option('-a, --app <app>', 'the app to destroy')
    .option('--confirm <name>', 'the app name again, to confirm')
    .action((name: string | undefined, opts: { app?: string; confirm?: string }) => destroyApp(ctx, name, opts));
}

export async function listApps(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const apps = await (await ctx.client()).listApps();
  if (opts.json) {
    ctx.printJson(apps);
    return;
  }
  if (apps.length === 0) {
    ctx.print('You have no apps; create one with paas apps:create NAME');
    return;
  }
  const { email } = await ctx.session();
  ctx.print('=== Apps');
  for (const app of [...apps].sort((a, b) => a.name.localeCompare(b.name))) {
    ctx.print(email === undefined || app.owner.email === email ? app.name : `${app.name}  (${app.owner.email})`);
  }
}

/** Heroku's `create`: the app, then (inside a git repository, unless --no-remote) its git remote. */
export async function createApp(ctx: Context, name: string, opts: { json?: boolean; remote?: string | false }): Promise<void> {
  if (!isValidAppName(name)) throw new CliError(`invalid app name '${name}': ${appNameRule}`);
  const remote = opts.remote === undefined ? defaultRemote : opts.remote;
  if (remote !== false) checkRemoteName(remote);
  const client = await ctx.client();
  const inRepo = remote !== false && (await isInsideGitRepo(ctx.cwd));
  if (opts.json) {
    const app = await client.createApp(name);
    ctx.printJson(app);
    if (inRepo) await addGitRemote(ctx, app, remote, { quiet: true });
    return;
  }
  const app = await ctx.step(`Creating ${name}`, () => client.createApp(name));
  ctx.print(`${app.web_url} | ${app.git_url}`);
  if (inRepo) await addGitRemote(ctx, app, remote);
}

/**
 * Heroku's `apps:rename NEWNAME`: the app gets the new name; the git remote of this repository that
 * pointed at it (paas, or -r) is pointed at the new one, and other checkouts are the user's to update.
 */
export async function renameApp(ctx: Context, newName: string, opts: { app?: string; remote?: string }): Promise<void> {
  if (!isValidAppName(newName)) throw new CliError(`invalid app name '${newName}': ${appNameRule}`);
  const remote = opts.remote ?? defaultRemote;
  checkRemoteName(remote);
  const name = await ctx.app(opts.app);
  const client = await ctx.client();
  const before = await client.getApp(name);
  const app = await ctx.step(`Renaming ${name} to ${newName}`, () => renameAppCall(client, name, newName));
  ctx.print(`${app.web_url} | ${app.git_url}`);
  if ((await isInsideGitRepo(ctx.cwd)) && (await remoteUrl(ctx.cwd, remote)) === before.git_url) {
    await addGitRemote(ctx, app, remote, { quiet: true });
    ctx.print(`Git remote ${remote} updated`);
  }
  ctx.warn("Don't forget to update git remotes for all other local checkouts of the app.");
}

/** Heroku's `open`: the app's web URL (PATH appended) in the browser $BROWSER names, or the system's. */
export async function openApp(ctx: Context, path: string | undefined, opts: { app?: string }): Promise<void> {
  const name = await ctx.app(opts.app);
  const app = await (await ctx.client()).getApp(name);
  const url = new URL(path ?? '/', app.web_url).toString();
  ctx.print(`Opening ${url}`);
  await openInBrowser(url, ctx.env.browser).catch((err: unknown) => ctx.warn(`could not start a browser (${(err as Error).message}); open the URL yourself`));
}

export async function appInfo(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const name = await ctx.app(opts.app);
  const app = await (await ctx.client()).getApp(name);
  if (opts.json) {
    ctx.printJson(app);
    return;
  }
  const formation = (app.formation ?? []).map((f) => `${f.type}: ${f.quantity}`).join(', ');
  ctx.print(`=== ${app.name}`);
  const created = new Date(app.created_at);
  const lines = formatKeyValues([
    ['Git URL', app.git_url],
    ['Web URL', app.web_url],
    ['Owner', app.owner.email],
    ['Release', app.current_release === null ? 'none yet (git push paas main to deploy)' : `v${app.current_release}`],
    ['Processes', formation === '' ? 'none' : formation],
    ['Maintenance', app.maintenance ? 'on' : 'off'],
    ['Stack', app.build_stack.name === app.stack.name ? app.stack.name : `${app.stack.name} (next build: ${app.build_stack.name})`],
    [
      'Created',
      Number.isNaN(created.getTime())
        ? app.created_at
        : `${created.toISOString()} (${relativeTime(created, ctx.now())})`,
    ],
  ]);
  for (const line of lines) ctx.print(line);
}

export async function destroyApp(
  ctx: Context,
  positional: string | undefined,
  opts: { app?: string; confirm?: string },
): Promise<void> {
  if (positional !== undefined && opts.app !== undefined && positional !== opts.app) {
    throw new CliError(`two different apps given: ${positional} and -a ${opts.app}`);
  }
  const name = await ctx.app(positional ?? opts.app);
  if (opts.confirm === undefined) {
    throw new CliError(
      `this permanently destroys ${name}, with its config vars, releases and processes.\n` +
        `To proceed, run: paas apps:destroy ${name} --confirm ${name}`,
    );
  }
  if (opts.confirm !== name) {
    throw new CliError(`--confirm ${opts.confirm} does not match the app name ${name}; nothing was destroyed`);
  }
  const client = await ctx.client();
  await ctx.step(`Destroying ${name} (including all processes, config vars and releases)`, () =>
    client.destroyApp(name),
  );
}
