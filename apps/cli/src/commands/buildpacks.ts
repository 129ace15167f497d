import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { parsePositiveInt } from '../args.js';
import type { Context } from '../context.js';

/** `buildpacks`, `buildpacks:set`, `buildpacks:add`, `buildpacks:remove`, `buildpacks:clear` (Heroku's). */
export function registerBuildpacksCommands(program: Command, ctx: Context): void {
  const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

  program
    .command('buildpacks')
    .description("an app's buildpacks, in the order they run")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const installed = await (await ctx.client()).listBuildpacks(app);
      if (opts.json) return ctx.printJson(installed);
      print(ctx, app, installed.map((i) => i.buildpack.url));
    });

  program
    .command('buildpacks:set')
    .description('sets the buildpack (a built-in name like nodejs, or a git URL with an optional #ref); -i replaces one of several')
    .argument('<buildpack>', "nodejs, python, go, static, Heroku's names (heroku/nodejs, heroku-community/static, their GitHub URLs), or a git URL")
    .option(...appOption)
    .option('-i, --index <n>', 'the position to replace (1 is the first)')
    .action((buildpack: string, opts: { app?: string; index?: string }) =>
      change(ctx, opts.app, (list) => {
        if (opts.index === undefined) return [buildpack];
        const i = parsePositiveInt(opts.index, '--index');
        if (i > list.length + 1) throw new CliError(`--index ${i} is past the end: the app has ${list.length} buildpacks`);
        return [...list.slice(0, i - 1), buildpack, ...list.slice(i)];
      }),
    );

  program
    .command('buildpacks:add')
    .description('adds a buildpack: last, or at --index (buildpacks run in order; the last decides the process types)')
    .argument('<buildpack>', "nodejs, python, go, static, Heroku's names (heroku/nodejs, heroku-community/static, their GitHub URLs), or a git URL")
    .option(...appOption)
    .option('-i, --index <n>', 'the position to insert at (1 is the first)')
    .action((buildpack: string, opts: { app?: string; index?: string }) =>
      change(ctx, opts.app, (list) => {
        if (list.includes(buildpack)) throw new CliError(`${buildpack} is already one of the app's buildpacks`);
        const i = opts.index === undefined ? list.length + 1 : parsePositiveInt(opts.index, '--index');
        return [...list.slice(0, i - 1), buildpack, ...list.slice(i - 1)];
      }),
    );

  program
    .command('buildpacks:remove')
    .description('removes a buildpack, by URL or by --index')
    .argument('[buildpack]', 'the buildpack to remove')
    .option(...appOption)
    .option('-i, --index <n>', 'the position to remove (1 is the first)')
    .action((buildpack: string | undefined, opts: { app?: string; index?: string }) =>
      change(ctx, opts.app, (list) => {
        if (opts.index !== undefined) {
          const i = parsePositiveInt(opts.index, '--index');
          if (i > list.length) throw new CliError(`--index ${i} is past the end: the app has ${list.length} buildpacks`);
          return list.filter((_, n) => n !== i - 1);
        }
        if (buildpack === undefined) throw new CliError('give the buildpack to remove, or --index');
        if (!list.includes(buildpack)) throw new CliError(`${buildpack} is not one of the app's buildpacks`);
        return list.filter((b) => b !== buildpack);
      }),
    );

  program
    .command('buildpacks:clear')
    .description("clears the app's buildpacks: its next build detects them")
    .option(...appOption)
    .action((opts: { app?: string }) => change(ctx, opts.app, () => []));
}

async function change(ctx: Context, explicitApp: string | undefined, edit: (list: string[]) => string[]): Promise<void> {
  const app = await ctx.app(explicitApp);
  const client = await ctx.client();
  const current = (await client.listBuildpacks(app)).map((i) => i.buildpack.url);
  const next = edit(current);
  const saved = (await client.setBuildpacks(app, next)).map((i) => i.buildpack.url);
  if (saved.length === 0) {
    ctx.print(`Buildpacks cleared. The next build of ${app} will detect its buildpack.`);
    return;
  }
  ctx.print(saved.length === 1 ? `Buildpack set. The next build of ${app} will use ${saved[0]}.` : `Buildpacks set. The next build of ${app} will use:`);
  if (saved.length > 1) saved.forEach((url, i) => ctx.print(`  ${i + 1}. ${url}`));
}

function print(ctx: Context, app: string, urls: string[]): void {
  if (urls.length === 0) {
    ctx.print(`${app} has no buildpacks set: its builds detect one (nodejs, python, go, static), or use a Dockerfile.`);
    return;
  }
  ctx.print(`=== ${app} Buildpack${urls.length === 1 ? '' : 's'}`);
  urls.forEach((url, i) => ctx.print(`${i + 1}. ${url}`));
}
