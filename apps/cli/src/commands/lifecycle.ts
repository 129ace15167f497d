import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { getReleaseOutput, listCron, setMaintenance, type CronJob } from '../lifecycle-client.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `maintenance`, `maintenance:on`, `maintenance:off`, `releases:output`, `cron`. */
export function registerLifecycleCommands(program: Command, ctx: Context): void {
  program
    .command('maintenance')
    .description("show whether an app is in maintenance mode")
    .option(...appOption)
    .action((opts: { app?: string }) => maintenanceStatus(ctx, opts));

  program
    .command('maintenance:on')
    .description('put an app in maintenance mode: requests get a 503 with a maintenance page (its own with PAAS_MAINTENANCE_PAGE_URL)')
    .option(...appOption)
    .action((opts: { app?: string }) => maintenance(ctx, true, opts));

  program
    .command('maintenance:off')
    .description('take an app out of maintenance mode')
    .option(...appOption)
    .action((opts: { app?: string }) => maintenance(ctx, false, opts));

  program
    .command('cron')
    .alias('cron:list')
    .description("list the app.json cron entries of an app's current release, with their next and last runs (times in UTC)")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => cronList(ctx, opts));

  program
    .command('releases:output')
    .description("show what a release's release phase and postdeploy scripts printed (default: the current release)")
    .argument('[release]', 'v3, 3 or a release id')
    .option(...appOption)
    .action((release: string | undefined, opts: { app?: string }) => releaseOutput(ctx, release, opts));
}

export async function maintenanceStatus(ctx: Context, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const info = await (await ctx.client()).getApp(app);
  ctx.print(info.maintenance ? 'on' : 'off');
}

export async function maintenance(ctx: Context, on: boolean, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  await ctx.step(`${on ? 'Enabling' : 'Disabling'} maintenance mode for ${app}`, () => setMaintenance(client, app, on));
}

export async function releaseOutput(ctx: Context, release: string | undefined, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  let ref = release;
  if (ref === undefined) {
    const current = (await client.getApp(app)).current_release;
    if (current === null) throw new CliError(`${app} has no release yet`);
    ref = `v${current}`;
  }
  const out = await getReleaseOutput(client, app, ref);
  if (out.output === null) {
    ctx.print(`v${out.version} ran no release phase or postdeploy script`);
    return;
  }
  ctx.io.stdout.write(out.output.endsWith('\n') || out.output === '' ? out.output : `${out.output}\n`);
}

export async function cronList(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const jobs = await listCron(await ctx.client(), app);
  if (opts.json) {
    ctx.printJson(jobs);
    return;
  }
  if (jobs.length === 0) {
    ctx.print(`${app} has no cron entries (add "cron": [{ "command": …, "schedule": … }] to app.json)`);
    return;
  }
  ctx.print(`=== ${app} cron`);
  const last = (j: CronJob): string => {
    if (!j.last_run) return 'never ran';
    if (j.last_run.error) return `could not run: ${j.last_run.error}`;
    if (j.last_run.finished_at === null) return `running since ${j.last_run.tick}`;
    return `last ${j.last_run.tick} exit ${j.last_run.exit_code ?? 'timeout'}`;
  };
  for (const line of formatTable(jobs.map((j) => [j.id, j.schedule, j.command, j.next_run_at ? `next ${j.next_run_at}` : 'never', last(j)]))) ctx.print(line);
}
