import type { Command } from 'commander';
import type { AuditEvent, Quota, QuotaLimits } from '../api-client.js';
import { parsePositiveInt } from '../args.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { Prompter } from '../prompt.js';
import { relativeTime } from '../relative-time.js';
import { formatKeyValues, formatTable } from '../table.js';

interface QuotaOptions {
  apps?: string;
  processes?: string;
  memory?: string;
  builds?: string;
  json?: boolean;
}

/** `admin:users`, `admin:users:create`, `admin:users:disable`, `admin:quota`, `admin:quota:set`, `admin:audit`. */
export function registerAdminCommands(program: Command, ctx: Context): void {
  program
    .command('admin:users')
    .description('list every user (admins only)')
    .option('--json', 'output as JSON')
    .action((opts: { json?: boolean }) => listUsers(ctx, opts));

  program
    .command('admin:users:create')
    .description('create a user (admins only)')
    .argument('<email>')
    .option('--password <password>', 'their password, at least 8 characters (prompted for on a terminal when missing)')
    .option('--admin', 'give them the admin role')
    .option('--json', 'output as JSON')
    .action((email: string, opts: { password?: string; admin?: boolean; json?: boolean }) => createUser(ctx, email, opts));

  program
    .command('admin:users:disable')
    .description("disable a user: their tokens stop working and their pushes are refused (admins only)")
    .argument('<email>')
    .action((email: string) => disableUser(ctx, email));

  program
    .command('admin:quota')
    .description("show a user's quota and usage (admins only)")
    .argument('<email>')
    .option('--json', 'output as JSON')
    .action((email: string, opts: { json?: boolean }) => showQuota(ctx, email, opts));

  program
    .command('admin:quota:set')
    .description("set a user's quota; 'default' resets a limit to the platform default (admins only)")
    .argument('<email>')
    .option('--apps <n>', 'apps they may own')
    .option('--processes <n>', 'processes across all their apps')
    .option('--memory <mb>', 'memory per process, in MB')
    .option('--builds <n>', 'builds at once')
    .option('--json', 'output as JSON')
    .action((email: string, opts: QuotaOptions) => setQuota(ctx, email, opts));

  program
    .command('admin:audit')
    .description('show the audit log, newest first (admins only)')
    .option('--user <email>', 'events by or about this user')
    .option('-a, --app <app>', 'events about this app')
    .option('--action <action>', 'one action (e.g. app.create), or a prefix ending in a dot (e.g. app.)')
    .option('-n, --num <n>', 'how many events', '50')
    .option('--json', 'output as JSON')
    .action((opts: { user?: string; app?: string; action?: string; num: string; json?: boolean }) => showAudit(ctx, opts));
}

export async function listUsers(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const users = await (await ctx.client()).listUsers();
  if (opts.json) {
    ctx.printJson(users);
    return;
  }
  ctx.print('=== Users');
  const rows = users.map((u) => [u.email, u.role, u.disabled ? 'disabled' : 'active', `created ${relativeTime(u.created_at, ctx.now())}`]);
  for (const line of formatTable(rows)) ctx.print(line);
}

export async function createUser(ctx: Context, email: string, opts: { password?: string; admin?: boolean; json?: boolean }): Promise<void> {
  let password = opts.password;
  if (password === undefined) {
    if (ctx.io.stdin.isTTY !== true) throw new CliError('not on a terminal: pass --password');
    const prompter = new Prompter(ctx.io);
    try {
      password = await prompter.ask('Password: ', { hidden: true });
    } finally {
      prompter.close();
    }
  }
  const client = await ctx.client();
  const create = () => client.createUser(email, password, opts.admin === true);
  if (opts.json) {
    ctx.printJson(await create());
    return;
  }
  await ctx.step(`Creating ${opts.admin ? 'admin ' : ''}user ${email}`, create);
}

export async function disableUser(ctx: Context, email: string): Promise<void> {
  const client = await ctx.client();
  await ctx.step(`Disabling ${email}`, () => client.disableUser(email), () => ': their tokens are revoked');
}

export async function showQuota(ctx: Context, email: string, opts: { json?: boolean }): Promise<void> {
  const quota = await (await ctx.client()).getQuota(email);
  if (opts.json) {
    ctx.printJson(quota);
    return;
  }
  printQuota(ctx, quota);
}

function printQuota(ctx: Context, q: Quota): void {
  const note = (k: keyof QuotaLimits) => (q.overrides[k] === null ? ' (default)' : '');
  ctx.print(`=== Quota of ${q.user.email}`);
  for (const line of formatKeyValues([
    ['Apps', `${q.usage.apps} of ${q.limits.apps}${note('apps')}`],
    ['Processes', `${q.usage.processes} of ${q.limits.processes}${note('processes')}`],
    ['Memory', `${q.limits.memory_mb} MB per process${note('memory_mb')}`],
    ['Builds', `${q.usage.builds} running, ${q.limits.builds} at once${note('builds')}`],
  ])) {
    ctx.print(line);
  }
}

/** A limit option: a whole number, or `default` (null: the platform default). */
function limit(value: string | undefined, flag: string, min: number): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'default') return null;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new CliError(`${flag} must be a whole number${min > 0 ? ` of at least ${min}` : ''} or 'default', not '${value}'`);
  }
  return Number(value);
}

export async function setQuota(ctx: Context, email: string, opts: QuotaOptions): Promise<void> {
  const changes: Partial<Record<keyof QuotaLimits, number | null>> = {};
  const entries: [keyof QuotaLimits, number | null | undefined][] = [
    ['apps', limit(opts.apps, '--apps', 0)],
    ['processes', limit(opts.processes, '--processes', 0)],
    ['memory_mb', limit(opts.memory, '--memory', 1)],
    ['builds', limit(opts.builds, '--builds', 0)],
  ];
  for (const [k, v] of entries) if (v !== undefined) changes[k] = v;
  if (Object.keys(changes).length === 0) {
    throw new CliError('nothing to set; for example: paas admin:quota:set EMAIL --apps 5 --processes 10 --memory 512 --builds 1');
  }
  const client = await ctx.client();
  const set = () => client.setQuota(email, changes as Partial<QuotaLimits>);
  if (opts.json) {
    ctx.printJson(await set());
    return;
  }
  printQuota(ctx, await ctx.step(`Setting the quota of ${email}`, set));
}

export async function showAudit(ctx: Context, opts: { user?: string; app?: string; action?: string; num: string; json?: boolean }): Promise<void> {
  const num = parsePositiveInt(opts.num, '-n');
  if (num > 1000) throw new CliError('-n is at most 1000');
  const events = await (await ctx.client()).listAuditEvents({ user: opts.user, app: opts.app, action: opts.action, limit: num });
  if (opts.json) {
    ctx.printJson(events);
    return;
  }
  if (events.length === 0) {
    ctx.print('No audit events');
    return;
  }
  for (const line of formatTable(events.map((e) => auditRow(e)))) ctx.print(line);
}

function auditRow(e: AuditEvent): string[] {
  const target = [e.app, e.user].filter(Boolean).join(' ');
  const details = Object.entries(e.details)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return [new Date(e.created_at).toISOString().replace(/\.\d+Z$/, 'Z'), e.actor ?? 'platform', e.action, target, e.ip ?? '', details];
}
