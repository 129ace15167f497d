import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { HostEnv } from '../api-client.js';
import { parsePositiveInt } from '../args.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { shellQuote } from '../shell-quote.js';

interface ProvisionOptions {
  key?: string;
  port?: string;
  swarm?: boolean;
  capacityMemory?: string;
}

/** `hosts:provision`, `hosts:env`, `hosts:rotate-certs`, `hosts:deprovision` (admin only): Docker Machine's verbs. */
export function registerHostProvisionCommands(program: Command, ctx: Context): void {
  program
    .command('hosts:provision')
    .description('make a Debian/Ubuntu machine a Docker host over SSH (engine installed, TLS from paas\'s CA) and add it; run again to repair (admin)')
    .argument('<name>')
    .argument('<ssh-url>', 'ssh://user@address')
    .option('--key <file>', 'the SSH private key (default: ~/.ssh/id_ed25519, then ~/.ssh/id_rsa)')
    .option('--port <port>', 'the SSH port (default: 22)')
    .option('--swarm', 'also join the host to the Swarm as a worker')
    .option('--capacity-memory <mb>', 'memory processes may reserve on it, in MB (default: unlimited)')
    .action((name: string, url: string, opts: ProvisionOptions) => provisionHost(ctx, name, url, opts));

  program
    .command('hosts:env')
    .description('print DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for a provisioned host: eval $(paas hosts:env NAME) (admin)')
    .argument('<name>')
    .action((name: string) => hostEnv(ctx, name));

  program
    .command('hosts:rotate-certs')
    .description("give a provisioned host's engine new certificates (admin)")
    .argument('<name>')
    .action((name: string) => streamSteps(ctx, 'POST', `/hosts/${encodeURIComponent(name)}/rotate-certs`, undefined, `Rotating the certificates of ${name}`));

  program
    .command('hosts:deprovision')
    .description("drain a provisioned host, remove it and stop its engine's TLS listener (admin)")
    .argument('<name>')
    .action((name: string) => streamSteps(ctx, 'POST', `/hosts/${encodeURIComponent(name)}/deprovision`, undefined, `Deprovisioning ${name}`));
}

async function readKey(ctx: Context, file: string | undefined): Promise<string> {
  const candidates = file !== undefined ? [resolve(ctx.cwd, file)] : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(homedir(), '.ssh', f));
  for (const path of candidates) {
    try {
      const text = await readFile(path, 'utf8');
      if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) throw new CliError(`--key: ${path} is not a private key file`);
      return text;
    } catch (err) {
      if (err instanceof CliError) throw err;
      if (file !== undefined) throw new CliError(`--key: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  throw new CliError('no SSH key: give one with --key FILE');
}

async function provisionHost(ctx: Context, name: string, url: string, opts: ProvisionOptions): Promise<void> {
  if (!/^ssh:\/\/[^@/\s]+@[^/\s]+\/?$/.test(url)) throw new CliError(`${url} is not an ssh://user@address URL`);
  const body: Record<string, unknown> = { ssh_url: url, private_key: await readKey(ctx, opts.key) };
  if (opts.port !== undefined) body['port'] = parsePositiveInt(opts.port, '--port');
  if (opts.swarm) body['swarm'] = true;
  if (opts.capacityMemory !== undefined) body['capacity_memory_mb'] = parsePositiveInt(opts.capacityMemory, '--capacity-memory');
  await streamSteps(ctx, 'POST', `/hosts/${encodeURIComponent(name)}/provision`, body, `Provisioning ${name} (${url})`);
}

/** Shows each step as it runs (`-----> step... done (detail)`); a failed step ends the command with its reason. */
async function streamSteps(ctx: Context, method: string, path: string, body: unknown, heading: string): Promise<void> {
  const client = await ctx.client();
  ctx.print(`-----> ${heading}`);
  const stream = await client.openStream(method, path, body);
  const decoder = new TextDecoder();
  let buffered = '';
  let ended = false;
  const handle = (line: string): void => {
    if (!line.trim()) return;
    let e: { step?: string; state?: string; detail?: string; host?: { name: string; status: string }; error?: { id: string; message: string } };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      throw new CliError(`the paas API sent a line that is not JSON: ${line.slice(0, 100)}`);
    }
    if (e.error) throw new CliError(e.error.message);
    if (e.host) {
      ended = true;
      ctx.print(`-----> ${e.host.name}: ${e.host.status}`);
      return;
    }
    const detail = e.detail ? ` (${e.detail})` : '';
    if (e.state === 'running') ctx.print(`       ${e.step}...`);
    else if (e.state === 'done') ctx.print(`       ${e.step}: done${detail}`);
    else if (e.state === 'failed') ctx.print(`       ${e.step}: FAILED${detail}`);
  };
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) handle(line);
  }
  handle(buffered);
  if (!ended) throw new CliError('the paas API ended the answer before the last step: run the command again to repair');
}

/** Writes the CA, a fresh client certificate and its key (0600) under PAAS_HOME/hosts/NAME and prints the exports. */
async function hostEnv(ctx: Context, name: string): Promise<void> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) throw new CliError(`invalid host name ${name}`);
  const env: HostEnv = await (await ctx.client()).request('GET', `/hosts/${encodeURIComponent(name)}/env`);
  const dir = join(ctx.env.home, 'hosts', name, 'docker-tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const [file, text] of [['ca.pem', env.ca], ['cert.pem', env.cert], ['key.pem', env.key]] as const) {
    await writeFile(join(dir, file), text, { mode: 0o600 });
    await chmod(join(dir, file), 0o600);
  }
  ctx.print(`export DOCKER_HOST=${shellQuote(env.docker_host)}`);
  ctx.print('export DOCKER_TLS_VERIFY=1');
  ctx.print(`export DOCKER_CERT_PATH=${shellQuote(dir)}`);
  ctx.print(`# Run this command to configure your shell: eval "$(paas hosts:env ${name})"  (client certificate valid until ${env.expires_at})`);
}
