import type { Command } from 'commander';
import type { Build } from '../api-client.js';
import { parsePositiveInt } from '../args.js';
import type { Context } from '../context.js';
import { relativeTime } from '../relative-time.js';
import { formatTable } from '../table.js';

/** `builds` and `builds:cache:purge` (`builds:output` is with the logs commands). */
export function registerBuildsCommands(program: Command, ctx: Context): void {
  program
    .command('builds')
    .description("list an app's builds, newest first, with their status and duration")
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .option('-n, --num <n>', 'how many builds to show', '15')
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; num: string; json?: boolean }) => {
      const num = parsePositiveInt(opts.num, '-n');
      const app = await ctx.app(opts.app);
      const builds = (await (await ctx.client()).listBuilds(app)).slice(0, num);
      if (opts.json) return ctx.printJson(builds);
      if (builds.length === 0) return ctx.print(`${app} has no builds yet`);
      ctx.print(`=== ${app} Builds`);
      for (const line of formatBuilds(builds, ctx.now())) ctx.print(line);
    });

  program
    .command('builds:cache:purge')
    .description("empties an app's build cache: its next build installs its dependencies afresh")
    .option('-a, --app <app>', 'the app (default: from the git remote named paas)')
    .action(async (opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      await ctx.step(`Purging the build cache of ${app}`, () => client.purgeBuildCache(app));
    });
}

/** `<id>  succeeded  3f2c1a0  nodejs  14s  2m ago`. */
export function formatBuilds(builds: Build[], now: Date): string[] {
  return formatTable(
    builds.map((b) => [b.id, b.status, b.commit.slice(0, 7), b.buildpack ?? '', duration(b, now), relativeTime(b.created_at, now)]),
  );
}

/** How long a build took (or has been running): `14s`, `2m05s`. */
export function duration(b: Build, now: Date): string {
  const end = b.finished_at === null ? now : new Date(b.finished_at);
  const seconds = Math.max(0, Math.round((end.getTime() - new Date(b.created_at).getTime()) / 1000));
  if (Number.isNaN(seconds)) return '';
  const text = seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return b.finished_at === null ? `${text} so far` : text;
}
