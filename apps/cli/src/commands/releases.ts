import type { Command } from 'commander';
import type { Release } from '../api-client.js';
import { parsePositiveInt } from '../args.js';
import type { Context } from '../context.js';
import { relativeTime } from '../relative-time.js';
import { formatTable } from '../table.js';

/** `releases`. */
export function registerReleasesCommands(program: Command, ctx: Context): void {
  program
    .command('releases')
    .description("list an app's releases, newest first")
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('-n, --num <n>', 'how many releases to show', '15')
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; num: string; json?: boolean }) => listReleases(ctx, opts));
}

export async function listReleases(ctx: Context, opts: { app?: string; num: string; json?: boolean }): Promise<void> {
  const num = parsePositiveInt(opts.num, '-n');
  const app = await ctx.app(opts.app);
  const releases = (await (await ctx.client()).listReleases(app)).slice(0, num);
  if (opts.json) {
    ctx.printJson(releases);
    return;
  }
  if (releases.length === 0) {
    ctx.print(`${app} has no releases yet`);
    return;
  }
  const current = releases.find((r) => r.current);
  ctx.print(`=== ${app} Releases${current ? ` - Current: v${current.version}` : ''}`);
  for (const line of formatReleases(releases, ctx.now())) ctx.print(line);
}

/** `v3  Deploy 3f2c1a0  admin@x  2m ago  (current)`. */
export function formatReleases(releases: Release[], now: Date): string[] {
  return formatTable(
    releases.map((r) => [
      `v${r.version}`,
      r.status === 'succeeded' ? r.description : `${r.description} (${r.status})`,
      r.user?.email ?? '',
      relativeTime(r.created_at, now),
      r.current ? '(current)' : '',
    ]),
  );
}
