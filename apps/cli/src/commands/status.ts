import type { Command } from 'commander';
import type { ComponentStatus } from '../api-client.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

/** `admin:status`: the platform's own processes, their state, restarts, version and uptime. */
export function registerStatusCommands(program: Command, ctx: Context): void {
  program
    .command('admin:status')
    .description("show the platform's processes: state, restarts, version, uptime (admins only)")
    .option('--json', 'output as JSON')
    .action((opts: { json?: boolean }) => showStatus(ctx, opts));
}

/** `3d 4h`, `2h 5m`, `7m 3s`, `12s`. */
export function formatUptime(seconds: number | null): string {
  if (seconds === null) return '-';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

function lastExit(c: ComponentStatus): string {
  if (!c.last_exit) return '';
  const how = c.last_exit.signal ? `killed by ${c.last_exit.signal}` : `exit ${c.last_exit.code}`;
  return `last ${how} at ${c.last_exit.at}`;
}

/** `COMPONENT  HOST  STATE  PID  RESTARTS  VERSION  UPTIME  LAST EXIT` under a heading row. */
export function formatStatus(components: ComponentStatus[]): string[] {
  return formatTable([
    ['COMPONENT', 'HOST', 'STATE', 'PID', 'RESTARTS', 'VERSION', 'UPTIME', 'LAST EXIT'],
    ...components.map((c) => [
      c.name,
      c.host,
      c.state === 'backoff' && c.next_start_at ? `backoff (starts at ${c.next_start_at})` : c.state,
      c.pid === null ? '-' : String(c.pid),
      String(c.restarts),
      c.version,
      formatUptime(c.uptime_seconds),
      lastExit(c),
    ]),
  ]);
}

export async function showStatus(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const { components } = await (await ctx.client()).platformStatus();
  if (opts.json) return ctx.printJson(components);
  for (const line of formatStatus(components)) ctx.print(line);
}
