import { spawn } from 'node:child_process';
import { shellQuote } from '../shell-quote.js';
import { runAttached } from './run.js';
import type { Command } from 'commander';
import { addonsApi, downloadBackup, type Addon } from '../addons-client.js';
import type { ApiClient } from '../api-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';
import { formatAddonInfo, formatBytes } from './addons.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;
type Service = Addon['service'];

/** The add-on a pg:* or redis:* command means: the one named, else DATABASE_URL's / REDIS_URL's, else the only one. */
export function pickAddon(list: Addon[], service: Service, named: string | undefined, app: string): Addon {
  const ofKind = list.filter((a) => a.service === service);
  if (named !== undefined) {
    const found = ofKind.find((a) => a.name === named || a.config_var === named || a.config_var === `${named.toUpperCase()}_URL`);
    if (!found) throw new CliError(`${app} has no ${service} add-on ${named}: see paas addons -a ${app}`);
    return found;
  }
  const main = ofKind.find((a) => a.config_var === (service === 'postgres' ? 'DATABASE_URL' : 'REDIS_URL'));
  if (main) return main;
  if (ofKind.length === 1) return ofKind[0]!;
  if (ofKind.length === 0) throw new CliError(`${app} has no ${service} add-on; create one with paas addons:create ${service} -a ${app}`);
  throw new CliError(`${app} has ${ofKind.length} ${service} add-ons: name one (${ofKind.map((a) => a.name).join(', ')})`);
}

async function resolve(ctx: Context, service: Service, named: string | undefined, appOpt: string | undefined) {
  const app = await ctx.app(appOpt);
  const client = await ctx.client();
  const addon = pickAddon(await addonsApi.list(client, app), service, named, app);
  return { app, client, addon };
}

async function urlOf(client: ApiClient, app: string, addon: Addon): Promise<URL> {
  const vars = await client.getConfigVars(app);
  const raw = addon.config_var ? vars[addon.config_var] : undefined;
  if (!raw) throw new CliError(`${app} has no ${addon.config_var ?? 'config var'} for ${addon.name}`);
  return new URL(raw);
}

/** The one-off's command line of pg:psql: psql on the add-on's URL (from the process's environment), with -c SQL. */
export function psqlCommand(configVar: string, sql?: string): string {
  return `psql "$${configVar}"${sql === undefined ? '' : ` -v ON_ERROR_STOP=1 -c ${shellQuote(sql)}`}`;
}

/** Runs a local client with the credentials in its environment (never in argv, where `ps` shows them). */
function runLocal(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new CliError(`${cmd} is not installed here (Debian: apt-get install ${cmd === 'psql' ? 'postgresql-client' : 'redis-tools'})`) : err),
    );
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

/** `pg:*` and `redis:*`: the datastore commands of Heroku's CLI, on paas add-ons. */
export function registerDatastoreCommands(program: Command, ctx: Context): void {
  program
    .command('pg:psql')
    .description("open psql on an app's postgres add-on in a one-off process (or run one command with -c)")
    .argument('[addon]', 'the add-on or its config var (default: DATABASE_URL)')
    .option(...appOption)
    .option('-c, --command <sql>', 'run this SQL and exit')
    .option('--no-tty', 'no terminal, even when stdin is one')
    .action(async (named: string | undefined, opts: { app?: string; command?: string; tty: boolean }) => {
      const { app, addon } = await resolve(ctx, 'postgres', named, opts.app);
      if (!addon.config_var || !/^[A-Z][A-Z0-9_]*$/.test(addon.config_var)) throw new CliError(`${addon.name} is not attached to ${app} under a config var`);
      // Where the app runs, as the app (its network, its firewall, its credentials): the app's image
      // when it has psql, else the platform's psql image.
      await runAttached(ctx, [psqlCommand(addon.config_var, opts.command)], {
        app,
        tty: opts.command === undefined && opts.tty,
        needs: 'psql',
        label: `psql on ${addon.name}`,
      });
    });

  for (const service of ['postgres', 'redis'] as const) {
    const prefix = service === 'postgres' ? 'pg' : 'redis';
    program
      .command(`${prefix}:info`)
      .description(`size and connections of an app's ${service} add-ons`)
      .argument('[addon]')
      .option(...appOption)
      .option('--json', 'output as JSON')
      .action(async (named: string | undefined, opts: { app?: string; json?: boolean }) => {
        const app = await ctx.app(opts.app);
        const client = await ctx.client();
        const list = (await addonsApi.list(client, app)).filter((a) => a.service === service);
        const chosen = named === undefined ? list : [pickAddon(list, service, named, app)];
        if (chosen.length === 0) throw new CliError(`${app} has no ${service} add-on`);
        const infos = await Promise.all(chosen.map((a) => addonsApi.info(client, app, a.name)));
        if (opts.json) return ctx.printJson(infos);
        infos.forEach((info, i) => {
          if (i) ctx.print();
          for (const line of formatAddonInfo(info)) ctx.print(line);
        });
      });
    program
      .command(`${prefix}:credentials:rotate`)
      .description(`new credentials for a ${service} add-on: open connections close, attached apps get a release`)
      .argument('[addon]')
      .option(...appOption)
      .option('--confirm <app>', 'the app name again, to confirm')
      .action(async (named: string | undefined, opts: { app?: string; confirm?: string }) => {
        const { app, client, addon } = await resolve(ctx, service, named, opts.app);
        if (opts.confirm !== app) throw new CliError(`this closes every connection of ${addon.name}. To proceed, run again with --confirm ${app}`);
        await ctx.step(`Rotating the credentials of ${addon.name}`, () => addonsApi.rotate(client, app, addon.name));
      });
  }

  program
    .command('redis:cli')
    .description("open redis-cli on an app's redis add-on (keys must start with its <NAME>_KEY_PREFIX)")
    .argument('[addon]', 'the add-on or its config var (default: REDIS_URL)')
    .option(...appOption)
    .action(async (named: string | undefined, opts: { app?: string }) => {
      const { app, client, addon } = await resolve(ctx, 'redis', named, opts.app);
      const url = await urlOf(client, app, addon);
      const prefix = (await client.getConfigVars(app))[addon.config_var!.replace(/_URL$/, '_KEY_PREFIX')];
      if (prefix) ctx.warn(`Keys of ${addon.name} start with ${prefix}`);
      const args = ['-h', url.hostname, '-p', url.port || '6379', '--user', decodeURIComponent(url.username), ...(url.protocol === 'rediss:' ? ['--tls'] : [])];
      const code = await runLocal('redis-cli', args, { REDISCLI_AUTH: decodeURIComponent(url.password) });
      if (code !== 0) throw new CliError(`redis-cli exited with ${code}`);
    });

  registerBackupCommands(program, ctx);
}

function registerBackupCommands(program: Command, ctx: Context): void {
  program
    .command('pg:backups')
    .description("a postgres add-on's backups")
    .argument('[addon]')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (named: string | undefined, opts: { app?: string; json?: boolean }) => {
      const { app, client, addon } = await resolve(ctx, 'postgres', named, opts.app);
      const list = await addonsApi.backups(client, app, addon.name);
      if (opts.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.print(`${addon.name} has no backups; capture one with paas pg:backups:capture -a ${app}`);
      for (const line of formatTable([['Id', 'Taken', 'Size'], ...list.map((b) => [b.id, b.created_at, formatBytes(b.bytes)])])) ctx.print(line);
    });
  program
    .command('pg:backups:capture')
    .description('take a backup of a postgres add-on now (pg_dump, kept by the platform)')
    .argument('[addon]')
    .option(...appOption)
    .action(async (named: string | undefined, opts: { app?: string }) => {
      const { app, client, addon } = await resolve(ctx, 'postgres', named, opts.app);
      await ctx.step(`Backing up ${addon.name}`, () => addonsApi.capture(client, app, addon.name), (b) => `${b.id}, ${formatBytes(b.bytes)}`);
    });
  program
    .command('pg:backups:restore')
    .description("replace a postgres add-on's data with a backup")
    .argument('<backup>', 'e.g. b001')
    .argument('[addon]')
    .option(...appOption)
    .option('--confirm <app>', 'the app name again, to confirm')
    .action(async (backup: string, named: string | undefined, opts: { app?: string; confirm?: string }) => {
      const { app, client, addon } = await resolve(ctx, 'postgres', named, opts.app);
      if (opts.confirm !== app) throw new CliError(`this replaces the data of ${addon.name} with ${backup}. To proceed, run again with --confirm ${app}`);
      await ctx.step(`Restoring ${backup} into ${addon.name}`, () => addonsApi.restore(client, app, addon.name, backup));
    });
  program
    .command('pg:backups:download')
    .description('download a backup (pg_dump custom format) to a file')
    .argument('<backup>')
    .argument('[addon]')
    .option(...appOption)
    .option('-o, --output <file>', 'where to write it (default: <backup>.dump; never overwritten)')
    .action(async (backup: string, named: string | undefined, opts: { app?: string; output?: string }) => {
      const { app, addon } = await resolve(ctx, 'postgres', named, opts.app);
      const session = await ctx.session();
      const file = opts.output ?? `${backup}.dump`;
      const token = session.token;
      if (token === undefined) throw new CliError('not logged in; run paas login');
      await ctx.step(`Downloading ${backup} of ${addon.name} to ${file}`, () =>
        downloadBackup({ apiUrl: session.apiUrl, token }, app, addon.name, backup, file),
      );
    });
}
