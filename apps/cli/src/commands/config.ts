import type { Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import { parseConfigAssignments, parseConfigKeys } from '../args.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatKeyValues } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `config`, `config:get`, `config:set`, `config:unset`. */
export function registerConfigCommands(program: Command, ctx: Context): void {
  program
    .command('config')
    .description("show an app's config vars")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => showConfig(ctx, opts));

  program
    .command('config:get')
    .description('print the value of one config var')
    .argument('<key>')
    .option(...appOption)
    .action((key: string, opts: { app?: string }) => getConfig(ctx, key, opts));

  program
    .command('config:set')
    .description('set config vars and restart the app (a new release)')
    .argument('<KEY=VALUE...>')
    .option(...appOption)
    .action((pairs: string[], opts: { app?: string }) => setConfig(ctx, pairs, opts));

  program
    .command('config:unset')
    .description('unset config vars and restart the app (a new release)')
    .argument('<KEY...>')
    .option(...appOption)
    .action((keys: string[], opts: { app?: string }) => unsetConfig(ctx, keys, opts));
}

export async function showConfig(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const vars = await (await ctx.client()).getConfigVars(app);
  if (opts.json) {
    ctx.printJson(vars);
    return;
  }
  const entries = Object.entries(vars).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) {
    ctx.print(`${app} has no config vars.`);
    return;
  }
  ctx.print(`=== ${app} Config Vars`);
  for (const line of formatKeyValues(entries)) ctx.print(line);
}

export async function getConfig(ctx: Context, key: string, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const vars = await (await ctx.client()).getConfigVars(app);
  const value = vars[key];
  if (value === undefined) throw new CliError(`${app} has no config var ${key}`);
  ctx.print(value);
}

export async function setConfig(ctx: Context, pairs: string[], opts: { app?: string }): Promise<void> {
  const vars = parseConfigAssignments(pairs);
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const keys = Object.keys(vars);
  const updated = await ctx.step(
    `Setting ${keys.join(', ')} and restarting ${app}`,
    () => client.updateConfigVars(app, vars),
    () => newestReleaseSuffix(client, app),
  );
  for (const line of formatKeyValues(keys.map((key) => [key, updated[key] ?? vars[key] ?? '']))) ctx.print(line);
}

export async function unsetConfig(ctx: Context, rawKeys: string[], opts: { app?: string }): Promise<void> {
  const keys = parseConfigKeys(rawKeys);
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const patch: Record<string, null> = Object.fromEntries(keys.map((key) => [key, null]));
  await ctx.step(
    `Unsetting ${keys.join(', ')} and restarting ${app}`,
    () => client.updateConfigVars(app, patch),
    () => newestReleaseSuffix(client, app),
  );
}

/** `, v7` for the release a config change made. */
async function newestReleaseSuffix(client: ApiClient, app: string): Promise<string> {
  const [newest] = await client.listReleases(app);
  return newest === undefined ? '' : `, v${newest.version}`;
}
