import type { Command } from 'commander';
import type { Authorization } from '../api-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { relativeTime } from '../relative-time.js';
import { formatKeyValues, formatTable } from '../table.js';

/** `authorizations`, `authorizations:create`, `authorizations:revoke`: long-lived API tokens (for CI). */
export function registerAuthorizationsCommands(program: Command, ctx: Context): void {
  program
    .command('authorizations')
    .description('list your long-lived API tokens')
    .option('--json', 'output as JSON')
    .action((opts: { json?: boolean }) => listAuthorizations(ctx, opts));

  program
    .command('authorizations:create')
    .description('create a long-lived API token, e.g. for CI (the token is shown once)')
    .option('-d, --description <text>', 'what the token is for', '')
    .option('--json', 'output as JSON')
    .action((opts: { description: string; json?: boolean }) => createAuthorization(ctx, opts));

  program
    .command('authorizations:revoke')
    .description('revoke an API token: it stops working at once')
    .argument('<id>', 'the token id (from paas authorizations)')
    .action((id: string) => revokeAuthorization(ctx, id));
}

export async function listAuthorizations(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const list = await (await ctx.client()).listAuthorizations();
  if (opts.json) {
    ctx.printJson(list);
    return;
  }
  if (list.length === 0) {
    ctx.print('No API tokens; create one with paas authorizations:create --description ci');
    return;
  }
  ctx.print('=== Authorizations');
  const rows = list.map((a) => [
    a.id,
    a.description || '(no description)',
    `created ${relativeTime(a.created_at, ctx.now())}`,
    a.last_used_at ? `used ${relativeTime(a.last_used_at, ctx.now())}` : 'never used',
  ]);
  for (const line of formatTable(rows)) ctx.print(line);
}

export async function createAuthorization(ctx: Context, opts: { description: string; json?: boolean }): Promise<void> {
  if (opts.description.length > 200) throw new CliError('--description is at most 200 characters');
  const client = await ctx.client();
  if (opts.json) {
    ctx.printJson(await client.createAuthorization(opts.description));
    return;
  }
  const created: Authorization = await ctx.step('Creating API token', () => client.createAuthorization(opts.description));
  for (const line of formatKeyValues([
    ['ID', created.id],
    ['Description', created.description || '(none)'],
    ['Token', created.access_token?.token ?? ''],
  ])) {
    ctx.print(line);
  }
  ctx.warn('Keep the token safe: it is not shown again. Use it as PAAS_API_TOKEN, or: paas login --token TOKEN');
}

export async function revokeAuthorization(ctx: Context, id: string): Promise<void> {
  const client = await ctx.client();
  await ctx.step(`Revoking API token ${id}`, () => client.revokeAuthorization(id));
}
