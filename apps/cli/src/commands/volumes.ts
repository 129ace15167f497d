import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';
import { volumesApi, type Volume } from '../volumes-client.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;
const collect = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').filter(Boolean)];

/** `volumes`, `volumes:create`, `volumes:destroy`: data that outlives an app's containers. */
export function registerVolumesCommands(program: Command, ctx: Context): void {
  program
    .command('volumes')
    .description("list an app's volumes")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const list = await volumesApi.list(await ctx.client(), app);
      if (opts.json) return ctx.printJson(list);
      if (list.length === 0) return ctx.print(`${app} has no volumes; create one with paas volumes:create NAME --mount /data -a ${app}`);
      for (const line of formatVolumes(list)) ctx.print(line);
    });

  program
    .command('volumes:create')
    .description('create a volume mounted into the processes of some types (all by default): its data survives releases and restarts')
    .argument('<name>')
    .requiredOption('--mount <path>', 'where it is mounted, e.g. /data')
    .option('--type <type>', 'a process type that mounts it (repeat or comma-separate; default: all)', collect)
    .option('--driver <driver>', 'a volume driver the operator allows (default: local)')
    .option('--opt <key=value>', 'a driver option, when the operator allows them (repeatable)', collect)
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (name: string, opts: { mount: string; type?: string[]; driver?: string; opt?: string[]; app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const options: Record<string, string> = {};
      for (const o of opts.opt ?? []) {
        const eq = o.indexOf('=');
        if (eq <= 0) throw new CliError(`--opt takes key=value: ${o}`);
        options[o.slice(0, eq)] = o.slice(eq + 1);
      }
      const body = { name, mount: opts.mount, ...(opts.type ? { types: opts.type } : {}), ...(opts.driver ? { driver: opts.driver } : {}), ...(opts.opt ? { options } : {}) };
      const client = await ctx.client();
      if (opts.json) return ctx.printJson(await volumesApi.create(client, app, body));
      const v = await ctx.step(`Creating volume ${name} on ${app}`, () => volumesApi.create(client, app, body));
      ctx.print(`Mounted at ${v.mount} in ${v.types.length ? v.types.join(', ') : 'every'} process${v.host ? `; its processes run on ${v.host}, which holds it` : ''}.`);
    });

  program
    .command('volumes:destroy')
    .description('destroy a volume and its data')
    .argument('<name>')
    .option(...appOption)
    .option('--confirm <app>', 'the app name again, to confirm')
    .action(async (name: string, opts: { app?: string; confirm?: string }) => {
      const app = await ctx.app(opts.app);
      if (opts.confirm !== app) {
        throw new CliError(`this permanently destroys the volume ${name} and its data.\nTo proceed, run: paas volumes:destroy ${name} -a ${app} --confirm ${app}`);
      }
      const client = await ctx.client();
      await ctx.step(`Destroying volume ${name} on ${app}`, () => volumesApi.destroy(client, app, name));
    });
}

export function formatVolumes(list: Volume[]): string[] {
  return formatTable([
    ['Volume', 'Mount', 'Types', 'Driver', 'Host'],
    ...list.map((v) => [v.name, v.mount, v.types.length ? v.types.join(',') : 'all', v.driver, v.host ?? 'any']),
  ]);
}
