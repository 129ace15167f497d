import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Host, NewHost } from '../api-client.js';
import { parsePositiveInt } from '../args.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { relativeTime } from '../relative-time.js';
import { formatKeyValues, formatTable } from '../table.js';

interface AddOptions {
  docker: string;
  address: string;
  capacityMemory?: string;
  labels?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecure?: boolean;
}

/** `hosts`, `hosts:add`, `hosts:info`, `hosts:drain`, `hosts:remove` (admin only). */
export function registerHostsCommands(program: Command, ctx: Context): void {
  program
    .command('hosts')
    .description('list the Docker hosts processes run on (admin)')
    .option('--json', 'output as JSON')
    .action((opts: { json?: boolean }) => listHosts(ctx, opts));

  program
    .command('hosts:add')
    .description('add a Docker host, e.g. paas hosts:add node-2 --docker tcp://10.0.0.2:2376 --address 10.0.0.2 (admin)')
    .argument('<name>')
    .requiredOption('--docker <url>', 'the Docker engine: unix:///var/run/docker.sock, tcp://IP:2376 or ssh://user@IP')
    .requiredOption('--address <ip>', 'where the router reaches the ports published on this host')
    .option('--capacity-memory <mb>', 'memory processes may reserve on it, in MB (default: unlimited)')
    .option('--labels <k=v,...>', 'labels, e.g. zone=a,disk=ssd')
    .option('--tls-ca <file>', 'the CA certificate (PEM) of a tcp:// engine')
    .option('--tls-cert <file>', 'the client certificate (PEM) for a tcp:// engine')
    .option('--tls-key <file>', 'the client key (PEM) for a tcp:// engine')
    .option('--insecure', 'allow plain tcp:// (no TLS) to an engine that is not on loopback')
    .action((name: string, opts: AddOptions) => addHost(ctx, name, opts));

  program
    .command('hosts:info')
    .description("show a host's settings, health and processes (admin)")
    .argument('<name>')
    .option('--json', 'output as JSON')
    .action((name: string, opts: { json?: boolean }) => hostInfo(ctx, name, opts));

  program
    .command('hosts:drain')
    .description('move processes off a host and place nothing new there (admin)')
    .argument('<name>')
    .action((name: string) => drainHost(ctx, name));

  program
    .command('hosts:undrain')
    .description('take a drained host back into placement (admin)')
    .argument('<name>')
    .action(async (name: string) => {
      const client = await ctx.client();
      await ctx.step(`Taking ${name} back into placement`, () => client.undrainHost(name), (h) => `, ${h.status}`);
    });

  program
    .command('hosts:remove')
    .description('remove a host; refused while it runs processes or is the last one, unless --force (admin)')
    .argument('<name>')
    .option('--force', 'remove it even so')
    .action((name: string, opts: { force?: boolean }) => removeHost(ctx, name, opts));
}

function capacity(mb: number | null): string {
  return mb === null ? 'unlimited' : `${mb} MB`;
}

/** `NAME  STATUS  ADDRESS  PROCESSES  CAPACITY` under a heading row. */
export function formatHosts(hosts: Host[]): string[] {
  return formatTable([
    ['NAME', 'STATUS', 'ADDRESS', 'PROCESSES', 'CAPACITY'],
    ...hosts.map((h) => [h.name, h.status, h.address, String(h.processes ?? 0), capacity(h.capacity_memory_mb)]),
  ]);
}

export async function listHosts(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const hosts = await (await ctx.client()).listHosts();
  if (opts.json) return ctx.printJson(hosts);
  if (hosts.length === 0) return ctx.print('No hosts: add one with paas hosts:add NAME --docker URL --address IP');
  for (const line of formatHosts(hosts)) ctx.print(line);
}

/** `k=v,k=v` into an object. */
export function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--labels: '${pair}' is not KEY=VALUE; for example: --labels zone=a,disk=ssd`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}

async function readPem(ctx: Context, option: string, file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    throw new CliError(`${option}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!text.includes('-----BEGIN ')) throw new CliError(`${option}: ${file} is not a PEM file`);
  return text;
}

export async function addHost(ctx: Context, name: string, opts: AddOptions): Promise<void> {
  const host: NewHost = { name, docker_url: opts.docker, address: opts.address };
  if (opts.insecure) host.insecure = true;
  if (opts.capacityMemory !== undefined) host.capacity_memory_mb = parsePositiveInt(opts.capacityMemory, '--capacity-memory');
  if (opts.labels !== undefined) host.labels = parseLabels(opts.labels);
  if (opts.tlsCa !== undefined || opts.tlsCert !== undefined || opts.tlsKey !== undefined) {
    if (opts.tlsCert === undefined || opts.tlsKey === undefined) throw new CliError('TLS needs both --tls-cert and --tls-key (and --tls-ca for the engine\'s CA)');
    host.tls = {
      cert: await readPem(ctx, '--tls-cert', opts.tlsCert),
      key: await readPem(ctx, '--tls-key', opts.tlsKey),
      ...(opts.tlsCa !== undefined ? { ca: await readPem(ctx, '--tls-ca', opts.tlsCa) } : {}),
    };
  }
  const client = await ctx.client();
  await ctx.step(`Adding host ${name} (${opts.docker})`, () => client.addHost(host), (h) => `, ${h.status}`);
}

export async function hostInfo(ctx: Context, name: string, opts: { json?: boolean }): Promise<void> {
  const h = await (await ctx.client()).getHost(name);
  if (opts.json) return ctx.printJson(h);
  ctx.print(`=== ${h.name}`);
  const rows: [string, string][] = [
    ['Status', h.status],
    ['Docker', h.docker_url],
    ['Address', h.address],
    ['Capacity', capacity(h.capacity_memory_mb)],
    ['Labels', Object.entries(h.labels).map(([k, v]) => `${k}=${v}`).join(', ')],
    ['TLS', h.tls ? 'yes' : 'no'],
    ['Last seen', h.last_seen_at ? relativeTime(h.last_seen_at, ctx.now()) : 'never'],
    ['Processes', String(h.processes ?? h.process_list.length)],
  ];
  if (h.last_error) rows.push(['Last error', h.last_error]);
  for (const line of formatKeyValues(rows)) ctx.print(line);
  if (h.process_list.length) {
    ctx.print();
    ctx.print('=== Processes');
    for (const line of formatTable(h.process_list.map((p) => [p.app, p.name, `v${p.release}`, p.state]))) ctx.print(line);
  }
}

export async function drainHost(ctx: Context, name: string): Promise<void> {
  const client = await ctx.client();
  await ctx.step(`Draining ${name}`, () => client.drainHost(name), (h) => {
    const left = h.processes ?? 0;
    return left === 0 ? ', its processes run elsewhere' : `, ${left} process${left === 1 ? '' : 'es'} still on it`;
  });
}

export async function removeHost(ctx: Context, name: string, opts: { force?: boolean }): Promise<void> {
  const client = await ctx.client();
  await ctx.step(`Removing host ${name}`, () => client.removeHost(name, opts.force === true));
}
