import type { Command } from 'commander';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the target app (default: from the git remote named paas)'] as const;

/**
 * `network`, `network:allow SOURCE`, `network:deny SOURCE`: which apps may call this one at
 * `http://<app>.internal/` (PAAS_INTERNAL_DOMAIN). Nothing is allowed until the owner says so.
 */
export function registerNetworkCommands(program: Command, ctx: Context): void {
  program
    .command('network')
    .description('list the apps allowed to reach this app at its internal name (<app>.internal)')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const rows = await (await ctx.client()).listInternalAccess(app);
      if (opts.json) return ctx.printJson(rows);
      ctx.print(`=== Apps allowed to reach ${app}`);
      if (rows.length === 0) return ctx.print(`none (allow one with: paas network:allow SOURCE -a ${app})`);
      for (const line of formatTable([['SOURCE', 'ALLOWED BY', 'SINCE'], ...rows.map((r) => [r.source, r.created_by ?? '-', r.created_at])])) ctx.print(line);
    });

  program
    .command('network:allow <source>')
    .description("let SOURCE's processes call this app at its internal name")
    .option(...appOption)
    .action(async (source: string, opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      await ctx.step(`Allowing ${source} to reach ${app}`, () => client.allowInternalAccess(app, source));
    });

  program
    .command('network:deny <source>')
    .description('stop SOURCE from calling this app at its internal name')
    .option(...appOption)
    .action(async (source: string, opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      await ctx.step(`Denying ${source} access to ${app}`, () => client.denyInternalAccess(app, source));
    });
}
