import type { Command } from 'commander';
import type { Release } from '../api-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { relativeTime } from '../relative-time.js';
import { formatKeyValues } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** What the API tells about one release beyond the list's columns. */
type ReleaseDetail = Release & { image?: string; process_types?: Record<string, string> };

/** `releases:info`, `rollback`. */
export function registerRollbackCommands(program: Command, ctx: Context): void {
  program
    .command('releases:info')
    .description('show one release, with its config vars (default: the current one)')
    .argument('[release]', 'v3, 3 or a release id')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((release: string | undefined, opts: { app?: string; json?: boolean }) => releaseInfo(ctx, release, opts));

  program
    .command('rollback')
    .alias('releases:rollback')
    .description("roll back to an earlier release: a new release with its image and config vars (default: the one before the current)")
    .argument('[release]', 'v3, 3 or a release id')
    .option(...appOption)
    .action((release: string | undefined, opts: { app?: string }) => rollback(ctx, release, opts));
}

function checkRef(release: string): string {
  if (!/^v?\d{1,9}$/i.test(release) && !/^[0-9a-f-]{36}$/i.test(release)) {
    throw new CliError(`'${release}' is not a release; name one as v3 (see paas releases)`);
  }
  return release;
}

export async function releaseInfo(ctx: Context, ref: string | undefined, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  let release: ReleaseDetail;
  if (ref === undefined) {
    const current = (await client.listReleases(app)).find((r) => r.current);
    if (!current) throw new CliError(`${app} has no current release yet`);
    release = await client.getRelease(app, String(current.version));
  } else release = await client.getRelease(app, checkRef(ref));
  const config = await client.getReleaseConfigVars(app, String(release.version));
  if (opts.json) return ctx.printJson({ ...release, config_vars: config });
  ctx.print(`=== Release v${release.version}`);
  const rows: [string, string][] = [
    ['By', release.user?.email ?? 'the platform'],
    ['Change', release.description],
    ['Current', release.current ? 'yes' : 'no'],
    ['Status', release.status],
    ['When', relativeTime(release.created_at, ctx.now())],
  ];
  if (release.image) rows.push(['Image', release.image]);
  if (release.process_types) rows.push(['Processes', Object.entries(release.process_types).map(([t, c]) => `${t}: ${c}`).join('; ')]);
  for (const line of formatKeyValues(rows)) ctx.print(line);
  ctx.print();
  const entries = Object.entries(config).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return ctx.print(`v${release.version} has no config vars.`);
  ctx.print(`=== v${release.version} Config vars`);
  for (const line of formatKeyValues(entries)) ctx.print(line);
}

/** Without a release: the newest release that succeeded before the current one. */
async function previousRelease(releases: Release[], app: string): Promise<string> {
  const current = releases.find((r) => r.current);
  const before = releases.find((r) => current !== undefined && r.version < current.version && r.status === 'succeeded');
  if (!before) throw new CliError(`${app} has no earlier release that succeeded to roll back to`);
  return `v${before.version}`;
}

export async function rollback(ctx: Context, ref: string | undefined, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const target = ref === undefined ? await previousRelease(await client.listReleases(app), app) : checkRef(ref);
  const shown = /^\d+$/.test(target) ? `v${target}` : target;
  await ctx.step(`Rolling back ${app} to ${shown}`, () => client.rollback(app, target), (r) => `, v${r.version}`);
}
