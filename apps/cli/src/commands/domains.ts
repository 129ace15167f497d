import type { Command } from 'commander';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `domains`, `domains:add`, `domains:remove`: the hostnames that reach an app. */
export function registerDomainsCommands(program: Command, ctx: Context): void {
  program
    .command('domains')
    .description("list an app's domains: its default one and the custom ones")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => listDomains(ctx, opts));

  program
    .command('domains:add')
    .description('add a custom domain (www.example.com, or a wildcard *.example.com) to an app')
    .argument('<hostname>')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((hostname: string, opts: { app?: string; json?: boolean }) => addDomain(ctx, hostname, opts));

  program
    .command('domains:remove')
    .description('remove a custom domain from an app')
    .argument('<hostname>')
    .option(...appOption)
    .action((hostname: string, opts: { app?: string }) => removeDomain(ctx, hostname, opts));
}

export async function listDomains(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const domains = await (await ctx.client()).listDomains(app);
  if (opts.json) {
    ctx.printJson(domains);
    return;
  }
  const defaults = domains.filter((d) => d.kind === 'default');
  const custom = domains.filter((d) => d.kind === 'custom');
  ctx.print(`=== ${app} Default Domain`);
  for (const d of defaults) ctx.print(d.hostname);
  ctx.print();
  if (custom.length === 0) {
    ctx.print(`${app} has no custom domains; add one with paas domains:add HOSTNAME`);
    return;
  }
  ctx.print(`=== ${app} Custom Domains`);
  for (const line of formatTable([['Domain Name', 'DNS Target'], ...custom.map((d) => [d.hostname, d.cname ?? ''])])) ctx.print(line);
}

export async function addDomain(ctx: Context, hostname: string, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  if (opts.json) {
    ctx.printJson(await client.addDomain(app, hostname));
    return;
  }
  const domain = await ctx.step(`Adding ${hostname} to ${app}`, () => client.addDomain(app, hostname));
  ctx.print(`Point ${domain.hostname}'s DNS at ${domain.cname ?? 'the router'} (a CNAME record), or at the router's address.`);
}

export async function removeDomain(ctx: Context, hostname: string, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  await ctx.step(`Removing ${hostname} from ${app}`, () => client.removeDomain(app, hostname));
}
