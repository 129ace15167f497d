import type { Command } from 'commander';
import type { Dyno, FormationEntry } from '../api-client.js';
import { parseScaleArgs, resolveScaleArgs } from '../args.js';
import type { Context } from '../context.js';
import { relativeTime } from '../relative-time.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `ps`, `scale` (alias `ps:scale`). */
export function registerPsCommands(program: Command, ctx: Context): void {
  program
    .command('ps')
    .description("list an app's processes")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => listProcesses(ctx, opts));

  program
    .command('scale')
    .alias('ps:scale')
    .description('scale process types, e.g. paas scale web=2 worker+1 (no arguments: show the formation)')
    .argument('[TYPE=N|TYPE+N|TYPE-N...]')
    .option(...appOption)
    .action((args: string[], opts: { app?: string }) => scale(ctx, args, opts));
}

export async function listProcesses(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const dynos = await (await ctx.client()).listDynos(app);
  if (opts.json) {
    ctx.printJson(dynos);
    return;
  }
  for (const line of formatProcesses(dynos, ctx.now())) ctx.print(line);
}

/** Heroku's `ps`: a `=== web (2): npm start` heading per process type, then one aligned line per process. */
export function formatProcesses(dynos: Dyno[], now: Date): string[] {
  if (dynos.length === 0) return ['No processes running'];
  const byType = new Map<string, Dyno[]>();
  for (const dyno of dynos) byType.set(dyno.type, [...(byType.get(dyno.type) ?? []), dyno]);
  const types = [...byType.keys()].sort((a, b) => (a === 'web' ? -1 : b === 'web' ? 1 : a.localeCompare(b)));
  const rows = types.flatMap((type) =>
    (byType.get(type) ?? [])
      .sort((a, b) => processNumber(a.name) - processNumber(b.name) || a.name.localeCompare(b.name))
      .map((d) => [d.name, d.state, hostCell(d), `v${d.release.version}`, relativeTime(d.updated_at, now), ...usageCells(d)]),
  );
  // One table for all types, so the columns line up across groups.
  const lines = formatTable(rows);
  const out: string[] = [];
  let i = 0;
  for (const type of types) {
    const group = byType.get(type) ?? [];
    if (out.length > 0) out.push('');
    out.push(`=== ${type} (${group.length}): ${group[0]?.command ?? ''}`.trimEnd());
    for (let j = 0; j < group.length; j += 1) out.push(lines[i++] ?? '');
  }
  return out;
}

/** The host, and the volumes that keep the process there. */
function hostCell(d: Dyno): string {
  if (!d.volumes?.length) return d.host;
  return `${d.host} (volume ${d.volumes.map((v) => v.split(':')[0]).join(', ')})`;
}

/** CPU and memory from the latest stats sample, when the API reports them (`-` before the first one). */
function usageCells(d: Dyno): string[] {
  if (d.cpu_percent === undefined && d.memory_mb === undefined) return [];
  const cpu = d.cpu_percent === null || d.cpu_percent === undefined ? '-' : `${d.cpu_percent.toFixed(1)}%`;
  const mem = d.memory_mb === null || d.memory_mb === undefined ? '-' : `${Math.round(d.memory_mb)} MB`;
  return [`cpu ${cpu}`, `mem ${mem}`];
}

function processNumber(name: string): number {
  const n = Number(name.slice(name.lastIndexOf('.') + 1));
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER;
}

export async function scale(ctx: Context, args: string[], opts: { app?: string }): Promise<void> {
  const parsed = parseScaleArgs(args);
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  // web+1: relative to the formation now.
  const updates = parsed.some((a) => 'delta' in a) ? resolveScaleArgs(parsed, await client.getFormation(app)) : resolveScaleArgs(parsed, []);
  if (updates.length === 0) {
    const formation = await client.getFormation(app);
    ctx.print(formation.length === 0 ? `${app} has no process types yet; deploy it first` : formationSummary(formation));
    return;
  }
  await ctx.step(
    'Scaling processes',
    () => client.updateFormation(app, updates),
    (formation) => {
      const running = updates.map((u) => {
        const entry = formation.find((f) => f.type === u.type);
        return `${u.type} at ${entry?.quantity ?? u.quantity}`;
      });
      return `, now running ${running.join(', ')}`;
    },
  );
}

/** `web=2 worker=1`. */
export function formationSummary(formation: FormationEntry[]): string {
  return formation.map((f) => `${f.type}=${f.quantity}`).join(' ');
}
