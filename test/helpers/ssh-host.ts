/**
 * Machines to provision over SSH in tests: containers of images/ssh-host (Debian's openssh-server,
 * able to run a Docker engine inside) on the `paas-dind` network, logged into as root with a key
 * the test generates. `engine: 'installed'` has docker.io already (paas/dind:bookworm underneath);
 * `engine: 'bare'` is a bare Debian where provisioning runs apt-get install docker.io.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import ssh2 from 'ssh2';

const run = promisify(execFile);
const context = fileURLToPath(new URL('../../images/ssh-host', import.meta.url));
const images = { installed: 'paas/ssh-host:bookworm', bare: 'paas/ssh-host-bare:bookworm' } as const;

export interface SshHost {
  name: string;
  address: string;
  /** The private key (OpenSSH format) and a file holding it. */
  privateKey: string;
  keyFile: string;
  /** Runs a command in the machine as root (docker exec, not SSH): for breaking things in tests. */
  exec(cmd: string[]): Promise<string>;
  remove(): Promise<void>;
}

/** Builds the image when missing (docker's layer cache makes a rebuild cheap). */
export async function ensureSshHostImage(engine: keyof typeof images): Promise<string> {
  const image = images[engine];
  const docker = new Docker();
  if (await docker.getImage(image).inspect().then(() => true, () => false)) return image;
  const base = engine === 'installed' ? 'paas/dind:bookworm' : 'paas/debian:bookworm';
  await run('docker', ['build', '-q', '--build-arg', `BASE=${base}`, '--label', 'paas.role=ssh-host', '-t', image, context], { maxBuffer: 10 * 1024 * 1024 });
  return image;
}

async function ensureNetwork(docker: Docker): Promise<void> {
  if (await docker.getNetwork('paas-dind').inspect().then(() => true, () => false)) return;
  await run('docker', ['network', 'create', '--driver', 'bridge', '--subnet', process.env['PAAS_DIND_SUBNET'] ?? '10.213.0.0/24', '--label', 'paas.role=dind-network', '--opt', 'com.docker.network.bridge.name=paas-dind', 'paas-dind']).catch(() => undefined);
}

export async function startSshHost(engine: keyof typeof images, prefix = 'ssh'): Promise<SshHost> {
  const docker = new Docker();
  const image = await ensureSshHostImage(engine);
  await ensureNetwork(docker);
  const keys = ssh2.utils.generateKeyPairSync('ed25519');
  const dir = await mkdtemp(join(tmpdir(), 'paas-ssh-host-'));
  const keyFile = join(dir, 'id_ed25519');
  await writeFile(keyFile, keys.private, { mode: 0o600 });
  const name = `paas-${prefix}-${randomBytes(3).toString('hex')}`;
  const container = await docker.createContainer({
    name,
    Image: image,
    Hostname: name,
    Labels: { 'paas.role': 'ssh-host-test' },
    Env: [`SSH_AUTHORIZED_KEY=${keys.public}`, `DIND_DNS=${(await run('awk', ['$1 == "nameserver" && $2 !~ /^127\\./ { printf "%s ", $2 }', '/etc/resolv.conf'])).stdout.trim()}`],
    HostConfig: {
      NetworkMode: 'paas-dind',
      CapAdd: ['SYS_ADMIN', 'NET_ADMIN', 'SYS_PTRACE', 'SYS_NICE', 'IPC_LOCK'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
      Sysctls: { 'net.ipv4.ip_forward': '1' },
      Init: true,
    },
  });
  const remove = async (): Promise<void> => {
    await container.remove({ force: true, v: true }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await container.start();
    const info = await container.inspect();
    const address = info.NetworkSettings.Networks['paas-dind']?.IPAddress;
    if (!address) throw new Error(`${name} has no address on paas-dind`);
    const exec = async (cmd: string[]): Promise<string> => {
      const e = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
      const stream = await e.start({});
      let out = '';
      const sink = new PassThrough();
      sink.on('data', (c: Buffer) => (out += c.toString('utf8')));
      docker.modem.demuxStream(stream, sink, sink);
      await new Promise((r) => stream.on('end', r));
      const { ExitCode } = await e.inspect();
      if (ExitCode !== 0) throw new Error(`${cmd.join(' ')} in ${name} exited with ${ExitCode}: ${out}`);
      return out;
    };
    await waitForSsh(address);
    return { name, address, privateKey: keys.private, keyFile, exec, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** Waits until sshd answers with its banner (host keys made, listening). */
async function waitForSsh(address: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const banner = await new Promise<string>((resolve) => {
      const s = connect({ host: address, port: 22, timeout: 2000 });
      s.once('data', (d: Buffer) => {
        resolve(d.toString('latin1'));
        s.destroy();
      });
      s.once('timeout', () => s.destroy());
      s.once('error', () => resolve(''));
      s.once('close', () => resolve(''));
    });
    if (banner.startsWith('SSH-')) return;
    if (Date.now() > deadline) throw new Error(`sshd at ${address}:22 did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
