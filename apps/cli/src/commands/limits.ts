import type { Command } from 'commander';
import type { ProcessLimits } from '../api-client.js';
import { processTypePattern } from '../args.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `limits`, `limits:set`: memory and CPU per process type, enforced by the engine. */
export function registerLimitsCommands(program: Command, ctx: Context): void {
  program
    .command('limits')
    .description('show the memory and CPU limits of each process type')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => showLimits(ctx, opts));

  program
    .command('limits:set')
    .description('set the limits of a process type and restart its processes, e.g. paas limits:set web --memory 512 --cpus 0.5')
    .argument('<type>')
    .option('--memory <mb>', 'memory per process in MB (16 to 262144), or none')
    .option('--cpus <n>', 'CPU cores per process, e.g. 0.5 (up to 256), or none')
    .option(...appOption)
    .action((type: string, opts: { app?: string; memory?: string; cpus?: string }) => setLimits(ctx, type, opts));
}

export function formatLimits(limits: ProcessLimits[]): string[] {
  return formatTable([
    ['TYPE', 'MEMORY', 'CPUS'],
    ...limits.map((l) => [l.type, l.memory_mb === null ? 'none' : `${l.memory_mb} MB`, l.cpus === null ? 'none' : String(l.cpus)]),
  ]);
}

export async function showLimits(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const limits = await (await ctx.client()).getLimits(app);
  if (opts.json) return ctx.printJson(limits);
  if (limits.length === 0) return ctx.print(`${app} has no process types yet; deploy it first`);
  ctx.print(`=== ${app} Process Limits`);
  for (const line of formatLimits(limits)) ctx.print(line);
}

/** `512` → 512, `none` → null. */
export function parseMemory(text: string): number | null {
  if (text === 'none') return null;
  if (!/^\d+$/.test(text)) throw new CliError(`--memory must be a whole number of MB (e.g. 512) or none, not '${text}'`);
  return Number(text);
}

/** `0.5` → 0.5, `none` → null. */
export function parseCpus(text: string): number | null {
  if (text === 'none') return null;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text) || Number(text) <= 0) throw new CliError(`--cpus must be a number of cores above 0 (e.g. 0.5) or none, not '${text}'`);
  return Number(text);
}

export async function setLimits(ctx: Context, type: string, opts: { app?: string; memory?: string; cpus?: string }): Promise<void> {
  if (!processTypePattern.test(type)) throw new CliError(`invalid process type '${type}'; process types are names from the Procfile, like web`);
  if (opts.memory === undefined && opts.cpus === undefined) throw new CliError('give --memory MB, --cpus N or both, e.g. paas limits:set web --memory 512 --cpus 0.5');
  const patch: { type: string; memory_mb?: number | null; cpus?: number | null } = { type };
  if (opts.memory !== undefined) patch.memory_mb = parseMemory(opts.memory);
  if (opts.cpus !== undefined) patch.cpus = parseCpus(opts.cpus);
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const what = [
    patch.memory_mb === undefined ? '' : patch.memory_mb === null ? 'no memory limit' : `${patch.memory_mb} MB`,
    patch.cpus === undefined ? '' : patch.cpus === null ? 'no CPU limit' : `${patch.cpus} CPU${patch.cpus === 1 ? '' : 's'}`,
  ].filter(Boolean);
  await ctx.step(`Setting ${type} to ${what.join(', ')} and restarting its processes on ${app}`, () => client.setLimits(app, patch));
}
