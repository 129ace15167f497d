import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Cert } from '../api-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `certs`, `certs:add`, `certs:remove`: the TLS certificates the routers serve for an app's domains. */
export function registerCertsCommands(program: Command, ctx: Context): void {
  program
    .command('certs')
    .description("list an app's TLS certificates")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => listCerts(ctx, opts));

  program
    .command('certs:add')
    .description('add a TLS certificate (PEM, with its chain) and its private key for some of the app’s domains')
    .argument('<cert.pem>')
    .argument('<key.pem>')
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((certFile: string, keyFile: string, opts: { app?: string; json?: boolean }) => addCert(ctx, certFile, keyFile, opts));

  program
    .command('certs:remove')
    .description('remove a TLS certificate, by its id or a name it covers')
    .argument('<id-or-name>')
    .option(...appOption)
    .action((idOrName: string, opts: { app?: string }) => removeCert(ctx, idOrName, opts));
}

export async function listCerts(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const certs = await (await ctx.client()).listCerts(app);
  if (opts.json) {
    ctx.printJson(certs);
    return;
  }
  if (certs.length === 0) {
    ctx.print(`${app} has no TLS certificates; add one with paas certs:add CERT.pem KEY.pem`);
    return;
  }
  ctx.print(`=== ${app} Certificates`);
  for (const line of formatTable([['Id', 'Names', 'Expires'], ...certs.map((c) => [c.id, c.names.join(', '), expiry(c, ctx.now())])])) ctx.print(line);
}

export async function addCert(ctx: Context, certFile: string, keyFile: string, opts: { app?: string; json?: boolean }): Promise<void> {
  const [chain, key] = await Promise.all([readPem(ctx, certFile), readPem(ctx, keyFile)]);
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  if (opts.json) {
    ctx.printJson(await client.addCert(app, chain, key));
    return;
  }
  const cert = await ctx.step(`Adding TLS certificate to ${app}`, () => client.addCert(app, chain, key));
  ctx.print(`Names:   ${cert.names.join(', ')}`);
  ctx.print(`Expires: ${expiry(cert, ctx.now())}`);
  ctx.print(`Id:      ${cert.id}`);
}

export async function removeCert(ctx: Context, idOrName: string, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  await ctx.step(`Removing TLS certificate ${idOrName} from ${app}`, () => client.removeCert(app, idOrName));
}

async function readPem(ctx: Context, file: string): Promise<string> {
  try {
    return await readFile(resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

/** `2027-01-01 (in 30 days)`, `2024-01-01 (expired)`. */
function expiry(c: Cert, now: Date): string {
  const at = new Date(c.expires_at);
  const days = Math.floor((at.getTime() - now.getTime()) / 86_400_000);
  const when = days < 0 ? 'expired' : days === 0 ? 'today' : `in ${days} day${days === 1 ? '' : 's'}`;
  return `${at.toISOString().slice(0, 10)} (${when})`;
}
