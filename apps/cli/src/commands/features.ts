import type { Command } from 'commander';
import type { Feature, Region } from '@paas/shared/api-contract';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;
const appPath = (app: string): string => `/apps/${encodeURIComponent(app)}`;

/** `regions`, `features`, `features:enable|disable` (Heroku's names): the cluster's region and an app's switches. */
export function registerFeaturesCommands(program: Command, ctx: Context): void {
  program
    .command('regions')
    .description("the platform's region (PAAS_REGION): the cluster apps run in")
    .option('--json', 'output as JSON')
    .action(async (opts: { json?: boolean }) => {
      const regions = await (await ctx.client()).request<Region[]>('GET', '/regions');
      if (opts.json) return ctx.printJson(regions);
      for (const line of formatTable([['NAME', 'DESCRIPTION'], ...regions.map((r) => [r.name, r.description])])) ctx.print(line);
    });

  program
    .command('features')
    .description("an app's switches (https-redirect …), each enabled or not")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const features = await (await ctx.client()).request<Feature[]>('GET', `${appPath(app)}/features`);
      if (opts.json) return ctx.printJson(features);
      ctx.print(`=== ${app} features`);
      for (const line of formatTable(features.map((f) => [f.enabled ? '[+]' : '[ ]', f.name, f.description]))) ctx.print(line);
    });

  for (const [command, enabled] of [['features:enable', true], ['features:disable', false]] as const) {
    program
      .command(command)
      .description(`${enabled ? 'enable' : 'disable'} an app feature, e.g. paas ${command} https-redirect`)
      .argument('<feature>')
      .option(...appOption)
      .action(async (name: string, opts: { app?: string }) => {
        const app = await ctx.app(opts.app);
        const f = await (await ctx.client()).request<Feature>('PATCH', `${appPath(app)}/features/${encodeURIComponent(name)}`, { enabled });
        ctx.print(`${enabled ? 'Enabled' : 'Disabled'} ${f.name} for ${app}`);
      });
  }
}
