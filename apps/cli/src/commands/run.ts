import type { Command } from 'commander';
import type { TerminalSize } from '@paas/shared';
import { attach, type AttachOutput } from '../attach-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { shellQuote } from '../shell-quote.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `run`, `run:detached`: one-off processes with the current release's image and config. */
export function registerRunCommands(program: Command, ctx: Context): void {
  program
    .command('run')
    .description('run a one-off process attached to your terminal, e.g. paas run -a shop -- node migrate.js')
    .usage('[-a APP] [--no-tty] -- COMMAND [ARGS...]')
    .argument('<command...>', 'the command line; put -- before it when it has options of its own')
    .option(...appOption)
    .option('--no-tty', 'no terminal, even when stdin is one')
    .action((args: string[], opts: { app?: string; tty: boolean }) => runAttached(ctx, args, opts));

  program
    .command('run:detached')
    .description('run a one-off process in the background, e.g. paas run:detached -a shop -- node migrate.js')
    .usage('[-a APP] -- COMMAND [ARGS...]')
    .argument('<command...>', 'the command line; put -- before it when it has options of its own')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((args: string[], opts: { app?: string; json?: boolean }) => runDetached(ctx, args, opts));
}

/**
 * The command line the process runs (by bash, as Procfile commands are): one argument as it is, so
 * `paas run -- 'echo $HOME; exit 3'` keeps its shell syntax; several are quoted where needed, so
 * `paas run -- ls 'a b'` lists one file.
 */
export function commandLine(args: string[]): string {
  if (args.length === 1) return args[0] ?? '';
  return args.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : shellQuote(w))).join(' ');
}

interface TerminalOut {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

interface RawInput {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

export async function runAttached(ctx: Context, args: string[], opts: { app?: string; tty: boolean; needs?: 'psql'; label?: string }): Promise<void> {
  const command = commandLine(args);
  const app = await ctx.app(opts.app);
  const session = await ctx.session();
  if (session.token === undefined) throw new CliError('not logged in; run paas login');
  const stdin = ctx.io.stdin as typeof ctx.io.stdin & RawInput;
  const out = ctx.io.stdout as typeof ctx.io.stdout & TerminalOut;
  // A terminal only when both ends are one: `paas run -- cat x > file` must get the bytes unchanged.
  const tty = opts.tty && stdin.isTTY === true && out.isTTY === true;
  const size = (): TerminalSize | undefined => (out.columns && out.rows ? { cols: out.columns, rows: out.rows } : undefined);
  const initial = tty ? size() : undefined;

  ctx.io.stderr.write(`Running ${opts.label ?? command} on ${app}... `);
  let started = false;
  let raw = false;
  let code: number;
  try {
    code = await attach({
      apiUrl: session.apiUrl,
      token: session.token,
      app,
      command,
      tty,
      ...(initial ? { size: initial } : {}),
      ...(opts.needs ? { needs: opts.needs } : {}),
      stdin,
      // Output goes through as bytes.
      stdout: ctx.io.stdout as unknown as AttachOutput,
      stderr: ctx.io.stderr as unknown as AttachOutput,
      onStart: (name) => {
        started = true;
        ctx.io.stderr.write(`up, ${name}\n`);
        if (tty && typeof stdin.setRawMode === 'function') {
          stdin.setRawMode(true);
          raw = true;
        }
      },
      onResize: (listener) => {
        if (!tty || !out.isTTY || !out.on || !out.off) return () => {};
        const onResize = (): void => {
          const s = size();
          if (s) listener(s);
        };
        out.on('resize', onResize);
        return () => out.off?.('resize', onResize);
      },
    });
  } catch (err) {
    if (!started) ctx.io.stderr.write('!\n');
    throw err;
  } finally {
    if (raw) stdin.setRawMode?.(false);
  }
  // The process's exit code is ours; it has said what it had to say.
  if (code !== 0) throw new CliError('', { exitCode: code >= 1 && code <= 255 ? code : 1 });
}

export async function runDetached(ctx: Context, args: string[], opts: { app?: string; json?: boolean }): Promise<void> {
  const command = commandLine(args);
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  if (opts.json) return ctx.printJson(await client.runDetached(app, command));
  const dyno = await ctx.step(`Running ${command} on ${app}`, () => client.runDetached(app, command), (d) => `, ${d.name}`);
  ctx.print(`Use paas logs -a ${app} --ps ${dyno.name} to view its output; paas ps:stop ${dyno.name} -a ${app} stops it.`);
}
