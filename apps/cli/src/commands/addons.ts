import type { Command } from 'commander';
import { addonsApi, type Addon, type AddonInfo } from '../addons-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatKeyValues, formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `addons`, `addons:create|info|destroy|attach|detach` and `admin:addon-servers*`: backing services. */
export function registerAddonsCommands(program: Command, ctx: Context): void {
  program
    .command('addons')
    .description("list an app's add-ons, its own and those shared with it")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const list = await addonsApi.list(await ctx.client(), app);
      if (opts.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.print(`${app} has no add-ons; create one with paas addons:create postgres`);
      for (const line of formatAddons(list, app)) ctx.print(line);
    });

  program
    .command('addons:create')
    .description('create a postgres or redis add-on: DATABASE_URL / REDIS_URL (or NAME_URL with --as) is set with a new release')
    .argument('<service>', 'postgres or redis (postgres:PLAN works too)')
    .option(...appOption)
    .option('--as <name>', 'the config var prefix: NAME_URL')
    .option('--plan <plan>', 'hobby (default) or standard')
    .option('--json', 'output as JSON')
    .action(async (service: string, opts: { app?: string; as?: string; plan?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      const body = { service, ...(opts.plan ? { plan: opts.plan } : {}), ...(opts.as ? { as: opts.as } : {}) };
      if (opts.json) return ctx.printJson(await addonsApi.create(client, app, body));
      const addon = await ctx.step(`Creating ${service} on ${app}`, () => addonsApi.create(client, app, body), (a) => a.plan);
      ctx.print(`${addon.name} is ready: ${addon.attachments.map((a) => a.config_var).join(', ')} set on ${app}.`);
      ctx.print(`Use paas addons:info ${addon.name} to see its use.`);
    });

  program
    .command('addons:info')
    .description("an add-on's plan, attachments, size and connections")
    .argument('<addon>')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (addon: string, opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const info = await addonsApi.info(await ctx.client(), app, addon);
      if (opts.json) return ctx.printJson(info);
      for (const line of formatAddonInfo(info)) ctx.print(line);
    });

  program
    .command('addons:destroy')
    .description('destroy an add-on and its data (detached from every app it is shared with)')
    .argument('<addon>')
    .option(...appOption)
    .option('--confirm <name>', 'the app or add-on name again, to confirm')
    .action(async (addon: string, opts: { app?: string; confirm?: string }) => {
      const app = await ctx.app(opts.app);
      if (opts.confirm === undefined) {
        throw new CliError(`this permanently destroys ${addon} and its data.\nTo proceed, run: paas addons:destroy ${addon} -a ${app} --confirm ${app}`);
      }
      if (opts.confirm !== app && opts.confirm !== addon) {
        throw new CliError(`--confirm ${opts.confirm} matches neither ${app} nor ${addon}; nothing was destroyed`);
      }
      const client = await ctx.client();
      await ctx.step(`Destroying ${addon} on ${app}`, () => addonsApi.destroy(client, app, addon));
    });

  program
    .command('addons:attach')
    .description('share an add-on with another app of the same owner (-a names the app that receives it)')
    .argument('<addon>')
    .option(...appOption)
    .option('--as <name>', 'the config var prefix: NAME_URL')
    .action(async (addon: string, opts: { app?: string; as?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      const done = await ctx.step(`Attaching ${addon} to ${app}`, () => addonsApi.attach(client, app, addon, opts.as));
      const var_ = done.attachments.find((a) => a.app === app)?.config_var;
      if (var_) ctx.print(`${var_} set on ${app}.`);
    });

  program
    .command('addons:detach')
    .description('remove a shared add-on from an app (it stays with its own app)')
    .argument('<addon>')
    .option(...appOption)
    .action(async (addon: string, opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      await ctx.step(`Detaching ${addon} from ${app}`, () => addonsApi.detach(client, app, addon));
    });

  program
    .command('admin:addon-servers')
    .description('servers registered for add-ons (admin)')
    .option('--json', 'output as JSON')
    .action(async (opts: { json?: boolean }) => {
      const servers = await addonsApi.servers(await ctx.client());
      if (opts.json) return ctx.printJson(servers);
      if (servers.length === 0) return ctx.print("no servers registered: add-ons are made on the platform's own");
      for (const line of formatTable([['Id', 'Service', 'Endpoint', 'Add-ons'], ...servers.map((s) => [s.id, s.service, s.endpoint, String(s.addons)])])) ctx.print(line);
    });

  program
    .command('admin:addon-servers:add')
    .description('register a PostgreSQL or Redis server for new add-ons (admin): its URL names an admin role')
    .argument('<service>', 'postgres or redis')
    .argument('<url>', 'e.g. postgres://admin:PASSWORD@db.internal:5432/postgres')
    .action(async (service: string, url: string) => {
      const client = await ctx.client();
      const s = await ctx.step(`Registering a ${service} server`, () => addonsApi.addServer(client, service, url), (x) => x.endpoint);
      ctx.print(`New ${s.service} add-ons are made on ${s.endpoint}.`);
    });

  program
    .command('admin:addon-servers:remove')
    .description('unregister an add-on server that holds no add-ons (admin)')
    .argument('<server>', 'its id or host:port')
    .action(async (server: string) => {
      const client = await ctx.client();
      await ctx.step(`Unregistering ${server}`, () => addonsApi.removeServer(client, server));
    });
}

export function formatAddons(list: Addon[], app: string): string[] {
  return formatTable([
    ['Add-on', 'Plan', 'Config var', 'Owned by'],
    ...list.map((a) => [a.name, `${a.service}:${a.plan}`, a.config_var ?? '', a.app === app ? app : `${a.app} (shared)`]),
  ]);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatAddonInfo(info: AddonInfo): string[] {
  const limit = info.usage.connection_limit;
  const extra = Object.entries(info.usage.extra ?? {}).map(([k, v]): [string, string] => [k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()), String(v)]);
  return [
    `=== ${info.name}`,
    ...formatKeyValues([
      ['Service', info.service],
      ['Plan', `${info.plan} (${info.plan_limits.connections} connections, ${info.plan_limits.sizeMb} MB)`],
      ['App', info.app],
      ['Attached to', info.attachments.map((a) => `${a.app}::${a.config_var}`).join(', ')],
      ['Data size', formatBytes(info.usage.bytes)],
      ['Connections', limit === null ? String(info.usage.connections) : `${info.usage.connections}/${limit}`],
      ...extra,
      ['Created', info.created_at],
    ]),
  ];
}
