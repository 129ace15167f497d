import type { Command } from 'commander';
import { ApiError, type LogDrain } from '../api-client.js';
import { parsePositiveInt } from '../args.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;
const sources = ['app', 'router', 'platform'];

export interface LogsOptions {
  app?: string;
  num?: string;
  tail?: boolean;
  ps?: string;
  dyno?: string;
  source?: string;
}

/** How the tail notices a dead connection: the server sends a keep-alive every 15 s. */
export interface TailTiming {
  idleMs: number;
  retryMs: number;
  /** Ends a tail (tests; the CLI is stopped with Ctrl-C). */
  stop?: AbortSignal;
}

const defaultTiming: TailTiming = { idleMs: 45_000, retryMs: 1000 };

/** `logs`, `drains`, `drains:add`, `drains:remove`, `builds:output`. */
export function registerLogsCommands(program: Command, ctx: Context): void {
  program
    .command('logs')
    .description("show an app's log: its processes' output, router and platform lines (--tail to follow)")
    .option(...appOption)
    .option('-n, --num <lines>', 'how many lines of history (default 100)')
    .option('-t, --tail', 'keep following new lines (reconnects when the connection drops)')
    .option('-p, --ps <process>', 'only one process (web.1) or process type (web), or router')
    .option('-d, --dyno <process>', 'the same as --ps (as Heroku names it)')
    .option('-s, --source <source>', `only lines from ${sources.join(', ')}`)
    .action((opts: LogsOptions) => showLogs(ctx, opts));

  program
    .command('drains')
    .description("list an app's log drains, with lines delivered and dropped")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => listDrains(ctx, opts));

  program
    .command('drains:add')
    .description("deliver an app's log to https://…, syslog+tls://host:port or syslog://host:port too")
    .argument('<url>')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((url: string, opts: { app?: string; json?: boolean }) => addDrain(ctx, url, opts));

  program
    .command('drains:remove')
    .description('remove a log drain, by URL or id')
    .argument('<url-or-id>')
    .option(...appOption)
    .action((target: string, opts: { app?: string }) => removeDrain(ctx, target, opts));

  program
    .command('builds:output')
    .description("show a build's output (default: the latest build)")
    .argument('[build]')
    .option(...appOption)
    .action((build: string | undefined, opts: { app?: string }) => buildOutput(ctx, build, opts));
}

export interface SseEvent {
  id?: string;
  data?: string;
  event?: string;
}

/** Server-sent events from a byte stream, in batches as they arrive: `id` and `data` per event (comments skipped). */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent[]> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      const batch: SseEvent[] = [];
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id') event.id = value;
          else if (field === 'data') event.data = event.data === undefined ? value : `${event.data}\n${value}`;
          else if (field === 'event') event.event = value;
        }
        if (event.id !== undefined || event.data !== undefined) batch.push(event);
      }
      if (batch.length) yield batch;
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}

export async function showLogs(ctx: Context, opts: LogsOptions, timing: TailTiming = defaultTiming): Promise<void> {
  const lines = opts.num === undefined ? 100 : parsePositiveInt(opts.num, '--num');
  const ps = opts.ps ?? opts.dyno;
  if (opts.source !== undefined && !sources.includes(opts.source)) {
    throw new CliError(`--source must be one of ${sources.join(', ')}, not '${opts.source}'`);
  }
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const query: Record<string, string> = { lines: String(lines) };
  if (opts.tail) query['tail'] = 'true';
  if (ps !== undefined) query['ps'] = ps;
  if (opts.source !== undefined) query['source'] = opts.source;

  let lastId: string | undefined;
  let failures = 0;
  while (!timing.stop?.aborted) {
    const abort = new AbortController();
    const onStop = (): void => abort.abort();
    timing.stop?.addEventListener('abort', onStop);
    let idle: NodeJS.Timeout | undefined;
    const alive = (): void => {
      clearTimeout(idle);
      if (opts.tail) idle = setTimeout(() => abort.abort(), timing.idleMs);
    };
    try {
      alive();
      const body = await client.openLogStream(app, query, lastId, abort.signal);
      if (failures > 0) ctx.warn('paas: reconnected');
      failures = 0;
      for await (const batch of sseEvents(body)) {
        alive();
        let out = '';
        for (const event of batch) {
          if (event.id) lastId = event.id;
          if (event.data !== undefined && event.event !== 'end') out += `${event.data}\n`;
        }
        if (out) ctx.io.stdout.write(out);
      }
      if (!opts.tail) return;
    } catch (err) {
      // The API refused (no such app, not logged in): reconnecting will not help.
      if (err instanceof ApiError && err.status < 500) throw err;
      if (!opts.tail) throw err;
    } finally {
      clearTimeout(idle);
      timing.stop?.removeEventListener('abort', onStop);
    }
    if (timing.stop?.aborted) return;
    failures += 1;
    if (failures === 1) ctx.warn('paas: the log stream was interrupted; reconnecting…');
    await new Promise((r) => setTimeout(r, Math.min(timing.retryMs * failures, 10_000)));
  }
}

export async function listDrains(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const drains = await (await ctx.client()).listLogDrains(app);
  if (opts.json) {
    ctx.printJson(drains);
    return;
  }
  if (drains.length === 0) {
    ctx.print(`${app} has no log drains; add one with paas drains:add URL`);
    return;
  }
  ctx.print(`=== ${app} Drains`);
  const rows = [['URL', 'Token', 'Status', 'Delivered', 'Dropped'], ...drains.map(drainRow)];
  for (const line of formatTable(rows)) ctx.print(line);
  for (const d of drains.filter((x) => x.last_error && x.status === 'retrying')) ctx.print(`${d.url}: ${d.last_error}`);
}

function drainRow(d: LogDrain): string[] {
  return [d.url, d.token, d.status, String(d.delivered), String(d.dropped)];
}

export async function addDrain(ctx: Context, url: string, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const drain = await (await ctx.client()).addLogDrain(app, url);
  if (opts.json) ctx.printJson(drain);
  else ctx.print(`Successfully added drain ${drain.url} (${drain.token})`);
}

export async function removeDrain(ctx: Context, target: string, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const drain = await (await ctx.client()).removeLogDrain(app, target);
  ctx.print(`Successfully removed drain ${drain.url}`);
}

export async function buildOutput(ctx: Context, build: string | undefined, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const id = build ?? (await client.listBuilds(app))[0]?.id;
  if (id === undefined) throw new CliError(`${app} has no builds yet; push to build it`);
  const found = await client.getBuild(app, id);
  ctx.io.stdout.write(found.output.endsWith('\n') || found.output === '' ? found.output : `${found.output}\n`);
}
