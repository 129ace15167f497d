import type { Command } from 'commander';
import type { Context } from '../context.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `ps:restart`, `ps:stop`. */
export function registerPsControlCommands(program: Command, ctx: Context): void {
  program
    .command('ps:restart')
    .alias('restart')
    .description('restart all processes, a type (web) or one (web.1); each new process starts before the old one stops')
    .argument('[target]', 'a process type or a process, e.g. web or web.1 (default: all)')
    .option(...appOption)
    .action((target: string | undefined, opts: { app?: string }) => restartProcesses(ctx, target, opts));

  program
    .command('ps:stop')
    .description('stop a process (web.1), a process type (web) or a one-off (run.3)')
    .argument('<target>')
    .option(...appOption)
    .action((target: string, opts: { app?: string }) => stopProcesses(ctx, target, opts));
}

function described(target: string | undefined): string {
  if (target === undefined) return 'all processes';
  return target.includes('.') ? `${target} process` : `${target} processes`;
}

export async function restartProcesses(ctx: Context, target: string | undefined, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  await ctx.step(`Restarting ${described(target)} on ${app}`, () => client.restartDynos(app, target));
}

/**
 * Like Heroku's: the process stops now; a formation process is started again by the platform (it is
 * still in the formation: `paas scale` runs fewer), a one-off is gone for good.
 */
export async function stopProcesses(ctx: Context, target: string, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const stopped = await ctx.step(`Stopping ${described(target)} on ${app}`, () => client.stopDynos(app, target));
  const formation = [...new Set(stopped.filter((d) => d.type !== 'run').map((d) => d.type))];
  for (const type of formation) {
    ctx.warn(`${type} is scaled to run: the platform starts its stopped processes again. To run fewer, use paas scale ${type}=N -a ${app}.`);
  }
}
