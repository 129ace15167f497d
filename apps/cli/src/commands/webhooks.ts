import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';
import { webhooksApi, type WebhookCreate } from '../webhooks-client.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;
const includeHelp = 'comma-separated entities: api:app, api:build, api:release, api:formation, api:dyno, api:domain, api:addon';

function level(value: string | undefined): 'notify' | 'sync' | undefined {
  if (value === undefined) return undefined;
  if (value !== 'notify' && value !== 'sync') throw new CliError(`--level is notify or sync, not ${value}`);
  return value;
}

const entities = (value: string | undefined): string[] | undefined => value?.split(',').map((s) => s.trim()).filter(Boolean);

/** `webhooks`, `webhooks:add|info|update|remove`, `webhooks:deliveries`, `webhooks:events`: Heroku's app webhooks. */
export function registerWebhooksCommands(program: Command, ctx: Context): void {
  program
    .command('webhooks')
    .description("list an app's webhooks")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const list = await webhooksApi.list(await ctx.client(), app);
      if (opts.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.print(`${app} has no webhooks\nUse paas webhooks:add to add one.`);
      for (const line of formatTable([['Webhook ID', 'URL', 'Include', 'Level'], ...list.map((w) => [w.id, w.url, w.include.join(','), w.level])])) ctx.print(line);
    });

  program
    .command('webhooks:add')
    .description("add a webhook: the app's events are POSTed to URL, signed in Heroku-Webhook-Hmac-SHA256")
    .requiredOption('-i, --include <entities>', includeHelp)
    .requiredOption('-l, --level <level>', 'notify (one attempt) or sync (retried with backoff)')
    .requiredOption('-u, --url <url>', 'where deliveries go (https://)')
    .option('-s, --secret <secret>', 'the signing secret (default: one is generated and shown once)')
    .option('-t, --authorization <value>', 'sent as the Authorization header of every delivery')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { include: string; level: string; url: string; secret?: string; authorization?: string; app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const body: WebhookCreate = {
        url: opts.url,
        include: entities(opts.include) ?? [],
        level: level(opts.level)!,
        ...(opts.secret !== undefined ? { secret: opts.secret } : {}),
        ...(opts.authorization !== undefined ? { authorization: opts.authorization } : {}),
      };
      const client = await ctx.client();
      if (opts.json) return ctx.printJson(await webhooksApi.create(client, app, body));
      const created = await ctx.step(`Adding webhook to ${app}`, () => webhooksApi.create(client, app, body));
      ctx.print(`Webhook ${created.id}`);
      if (opts.secret === undefined) {
        ctx.print('=== Webhooks Signing Secret');
        ctx.print(created.secret);
        ctx.print('It is shown this once: keep it to check the Heroku-Webhook-Hmac-SHA256 header of deliveries.');
      }
    });

  program
    .command('webhooks:info')
    .description('show one webhook')
    .argument('<id>')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (id: string, opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const w = await webhooksApi.info(await ctx.client(), app, id);
      if (opts.json) return ctx.printJson(w);
      ctx.print(`=== ${w.id}`);
      for (const line of formatTable([['Webhook ID:', w.id], ['URL:', w.url], ['Include:', w.include.join(',')], ['Level:', w.level]])) ctx.print(line);
    });

  program
    .command('webhooks:update')
    .description("change a webhook's URL, entities, level, secret or Authorization value")
    .argument('<id>')
    .option('-i, --include <entities>', includeHelp)
    .option('-l, --level <level>', 'notify or sync')
    .option('-u, --url <url>', 'where deliveries go (https://)')
    .option('-s, --secret <secret>', 'a new signing secret')
    .option('-t, --authorization <value>', 'a new Authorization value')
    .option(...appOption)
    .action(async (id: string, opts: { include?: string; level?: string; url?: string; secret?: string; authorization?: string; app?: string }) => {
      const app = await ctx.app(opts.app);
      const patch: Partial<WebhookCreate> = {};
      if (opts.include !== undefined) patch.include = entities(opts.include)!;
      if (opts.level !== undefined) patch.level = level(opts.level)!;
      if (opts.url !== undefined) patch.url = opts.url;
      if (opts.secret !== undefined) patch.secret = opts.secret;
      if (opts.authorization !== undefined) patch.authorization = opts.authorization;
      if (Object.keys(patch).length === 0) throw new CliError('give at least one of --include, --level, --url, --secret, --authorization');
      const client = await ctx.client();
      await ctx.step(`Updating webhook ${id} on ${app}`, () => webhooksApi.update(client, app, id, patch));
    });

  program
    .command('webhooks:remove')
    .description('remove a webhook')
    .argument('<id>')
    .option(...appOption)
    .action(async (id: string, opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      await ctx.step(`Removing webhook ${id} from ${app}`, () => webhooksApi.remove(client, app, id));
    });

  program
    .command('webhooks:deliveries')
    .description("list an app's webhook deliveries, newest first: status, attempts, last response code, next attempt")
    .option('-s, --status <status>', 'only those of this status (pending, scheduled, retrying, failed, succeeded)')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { status?: string; app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const list = (await webhooksApi.deliveries(await ctx.client(), app)).filter((d) => opts.status === undefined || d.status === opts.status);
      if (opts.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.print(`${app} has no deliveries`);
      const rows = list.map((d) => [d.id, d.created_at, d.status, d.event.include, d.webhook.level, String(d.num_attempts), d.last_attempt?.code === null || d.last_attempt === null ? '' : String(d.last_attempt.code), d.last_attempt?.error_class ?? '', d.next_attempt_at ?? '']);
      for (const line of formatTable([['Delivery ID', 'Created', 'Status', 'Include', 'Level', 'Attempts', 'Last Code', 'Last Error', 'Next Attempt'], ...rows])) ctx.print(line);
    });

  program
    .command('webhooks:deliveries:info')
    .description('show one delivery')
    .argument('<id>')
    .option(...appOption)
    .action(async (id: string, opts: { app?: string }) => ctx.printJson(await webhooksApi.delivery(await ctx.client(), await ctx.app(opts.app), id)));

  program
    .command('webhooks:events')
    .description("list the events published to an app's webhooks, newest first")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const list = await webhooksApi.events(await ctx.client(), app);
      if (opts.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.print(`${app} has no events`);
      for (const line of formatTable([['Event ID', 'Resource', 'Action', 'Published At'], ...list.map((e) => [e.id, e.payload.resource, e.payload.action, e.created_at])])) ctx.print(line);
    });

  program
    .command('webhooks:events:info')
    .description('show one event and its payload')
    .argument('<id>')
    .option(...appOption)
    .action(async (id: string, opts: { app?: string }) => ctx.printJson(await webhooksApi.event(await ctx.client(), await ctx.app(opts.app), id)));
}
