/**
 * Provisioning a Docker host over SSH, as Docker Machine did: connect (the host key pinned on first
 * use), check the OS, install Debian's docker.io when missing, put a server certificate from paas's
 * CA on it, make the engine listen with TLS (tlsverify) on 2376 and nothing else, restart it, check
 * it answers the controller's client certificate, and register the host. Every step is idempotent:
 * a failure names the step and leaves the machine as it was after the last good one, and running
 * provisioning again repairs it (a broken daemon.json is replaced, kept aside as a backup).
 *
 * Remote scripts are constants sent on stdin to `sh -s` (under `sudo -n` for a non-root user);
 * files travel inside them as quoted here-documents with a random delimiter, never in a command line.
 */
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import type pg from 'pg';
import { AppError, SecretBox, type Logger, type RegistrySettings } from '@paas/shared';
import { loadPlatformCa } from '../db/platform-ca.js';
import { findPin, savePin } from '../db/ssh-host-keys.js';
import type { PlatformCa } from '../pki/platform-ca.js';
import { checkOsRelease, daemonJsonWithTls, daemonJsonWithoutTls, enginePort, engineTlsDir } from './engine-config.js';
import { remoteText, SshConnection, type SshTarget } from './ssh-connection.js';

export type ProvisionStep = 'connect' | 'check-os' | 'install-engine' | 'certificates' | 'configure-engine' | 'restart-engine' | 'verify' | 'register' | 'drain' | 'remove';

export interface ProvisionEvent {
  step: ProvisionStep;
  state: 'running' | 'done' | 'failed';
  detail?: string;
}

export interface HostProvisionerOptions {
  pool: pg.Pool;
  /** PAAS_SECRET: opens paas's CA and the hosts' credentials. */
  secret: string;
  /** Hosts get the registry's CA in /etc/docker/certs.d when it has one of its own. */
  registry?: RegistrySettings;
  /** Deadlines (tests shorten them). */
  timeouts?: Partial<{ connectMs: number; commandMs: number; installMs: number; engineMs: number }>;
  log: Logger;
}

/** What the controller keeps to reach a provisioned engine (the key sealed). */
export interface EngineCredentials {
  ca: string;
  cert: string;
  key: string;
}

/** The sealing contexts of a host's credentials: bound to its name. */
export const credentialContext = {
  // host-registry.ts opens it with the same context
  tlsKey: (host: string) => `host:${host}:tls-key`,
  sshKey: (host: string) => `host:${host}:ssh-key`,
};

/** A step failed: the error names it. */
class StepFailure extends AppError {}

export class HostProvisioner {
  readonly credentials: SecretBox;
  private ca: Promise<PlatformCa> | undefined;

  constructor(private readonly o: HostProvisionerOptions) {
    this.credentials = new SecretBox(o.secret, 'host credentials');
  }

  platformCa(): Promise<PlatformCa> {
    this.ca ??= loadPlatformCa(this.o.pool, this.o.secret).catch((err: unknown) => {
      this.ca = undefined;
      throw err;
    });
    return this.ca;
  }

  private t(name: 'connectMs' | 'commandMs' | 'installMs' | 'engineMs'): number {
    const defaults = { connectMs: 20_000, commandMs: 60_000, installMs: 20 * 60_000, engineMs: 60_000 };
    return this.o.timeouts?.[name] ?? defaults[name];
  }

  /** Connects with the host key pinned on first use (a changed key is refused). */
  async connect(target: SshTarget): Promise<SshConnection> {
    const pinned = await findPin(this.o.pool, target.host, target.port);
    const conn = await SshConnection.connect(target, pinned, this.t('connectMs'));
    if (!pinned) await savePin(this.o.pool, target.host, target.port, conn.hostKey);
    return conn;
  }

  /**
   * Runs the steps up to a working TLS engine; answers the controller's credentials for it.
   * `address` is where the controller (and the docker CLI) reach the engine.
   */
  async provision(target: SshTarget, address: string, emit: (e: ProvisionEvent) => void): Promise<EngineCredentials> {
    const step = async <T>(name: ProvisionStep, work: () => Promise<T>, detail?: (r: T) => string | undefined): Promise<T> => {
      emit({ step: name, state: 'running' });
      try {
        const result = await work();
        const d = detail?.(result);
        emit({ step: name, state: 'done', ...(d ? { detail: d } : {}) });
        return result;
      } catch (err) {
        const message = (err as Error).message;
        emit({ step: name, state: 'failed', detail: message });
        if (err instanceof AppError && err.code === 'host_key_mismatch') throw err;
        throw new StepFailure('provision_failed', `step ${name} failed: ${message}`, { details: { step: name } });
      }
    };

    const conn = await step('connect', () => this.connect(target), (c) => `host key ${c.hostKey.type} ${c.hostKey.fingerprint}`);
    try {
      let sudo = false;
      const run = async (script: string, timeoutMs: number, what: string): Promise<string> => {
        const r = await conn.exec(sudo ? 'sudo -n sh -s' : 'sh -s', { stdin: `set -e\n${script}\n`, timeoutMs });
        if (r.code !== 0) throw new Error(`${what} exited with ${r.code ?? 'a signal'}: ${remoteText(r.stderr || r.stdout) || 'no output'}`);
        return r.stdout;
      };
      await step('check-os', async () => {
        const r = await conn.exec('cat /etc/os-release; echo "__paas_uid=$(id -u)"; sudo -n true >/dev/null 2>&1 && echo __paas_sudo=yes; true', { timeoutMs: this.t('commandMs') });
        const os = checkOsRelease(r.stdout);
        if (!os.ok) throw new Error(os.reason);
        const root = /__paas_uid=0\b/.test(r.stdout);
        if (!root && !/__paas_sudo=yes/.test(r.stdout)) throw new Error(`${target.username} is not root and cannot use sudo without a password: provisioning installs packages and configures the engine`);
        sudo = !root;
        return os.name;
      }, (name) => name);

      await step('install-engine', () =>
        run(
          [
            'if command -v dockerd >/dev/null 2>&1; then echo "docker.io is installed"; exit 0; fi',
            'export DEBIAN_FRONTEND=noninteractive',
            'apt-get update -q >/dev/null',
            'apt-get install -y -q --no-install-recommends docker.io iptables ca-certificates >/dev/null',
            'echo "installed docker.io"',
          ].join('\n'),
          this.t('installMs'),
          'apt-get install docker.io',
        ), (out) => remoteText(out));

      const ca = await this.platformCa();
      const credentials = await step('certificates', async () => {
        const server = await ca.issueServer([address, 'localhost', '127.0.0.1']);
        const client = await ca.issueClient('paas controller');
        const files = [
          writeFile(`${engineTlsDir}/ca.pem`, ca.cert, '644'),
          writeFile(`${engineTlsDir}/server-cert.pem`, server.cert, '644'),
          writeFile(`${engineTlsDir}/server-key.pem`, server.key, '600'),
        ];
        if (this.o.registry && (this.o.registry.ca || this.o.registry.caFile)) {
          const regCa = this.o.registry.ca ?? (await import('node:fs/promises').then((fs) => fs.readFile(this.o.registry!.caFile!, 'utf8')).catch(() => undefined));
          if (regCa && /^[A-Za-z0-9.:[\]-]+$/.test(this.o.registry.hostsAddress)) files.push(writeFile(`/etc/docker/certs.d/${this.o.registry.hostsAddress}/ca.crt`, regCa, '644'));
        }
        await run([`mkdir -p ${engineTlsDir}`, `chmod 700 ${engineTlsDir}`, ...files].join('\n'), this.t('commandMs'), 'writing the certificates');
        return { ca: ca.cert, cert: client.cert, key: client.key };
      }, () => `server certificate for ${address} from paas's CA`);

      await step('configure-engine', async () => {
        const existing = await conn.exec('cat /etc/docker/daemon.json 2>/dev/null || true', { timeoutMs: this.t('commandMs') });
        const merged = daemonJsonWithTls(existing.stdout.length >= 60_000 ? '{ too large' : existing.stdout);
        const script = [
          'mkdir -p /etc/docker',
          merged.repaired ? 'cp /etc/docker/daemon.json "/etc/docker/daemon.json.broken-$(date +%s)" 2>/dev/null || true' : ':',
          writeFile('/etc/docker/daemon.json', merged.json, '644'),
          // systemd's unit passes -H fd://, which conflicts with "hosts" in daemon.json
          'if [ -d /run/systemd/system ]; then',
          '  mkdir -p /etc/systemd/system/docker.service.d',
          writeFile('/etc/systemd/system/docker.service.d/paas.conf', '[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd $DOCKER_OPTS\n', '644'),
          '  systemctl daemon-reload',
          'fi',
        ].join('\n');
        await run(script, this.t('commandMs'), 'writing /etc/docker/daemon.json');
        return merged.repaired;
      }, (repaired) => (repaired ? 'daemon.json did not parse: replaced (the old one kept as daemon.json.broken-*)' : `listens on tcp://0.0.0.0:${enginePort} with tlsverify`));

      await step('restart-engine', () => run(restartEngineScript, this.t('engineMs') + 30_000, 'restarting dockerd'), (out) => remoteText(out));

      await step('verify', () => this.waitForEngine(address, credentials), (v) => `Docker ${v} answers over TLS`);
      return credentials;
    } finally {
      conn.close();
    }
  }

  /** Stops the engine's TLS listener (deprovision): daemon.json without it, the engine restarted on its socket only. */
  async removeListener(target: SshTarget, emit: (e: ProvisionEvent) => void): Promise<void> {
    emit({ step: 'configure-engine', state: 'running' });
    const conn = await this.connect(target);
    try {
      const root = /__paas_uid=0\b/.test((await conn.exec('echo "__paas_uid=$(id -u)"', { timeoutMs: this.t('commandMs') })).stdout);
      const existing = await conn.exec('cat /etc/docker/daemon.json 2>/dev/null || true', { timeoutMs: this.t('commandMs') });
      const script = [
        'set -e',
        writeFile('/etc/docker/daemon.json', daemonJsonWithoutTls(existing.stdout), '644'),
        'rm -f /etc/systemd/system/docker.service.d/paas.conf',
        `rm -rf ${engineTlsDir}`,
        '[ ! -d /run/systemd/system ] || systemctl daemon-reload',
        restartEngineScript,
      ].join('\n');
      const r = await conn.exec(root ? 'sh -s' : 'sudo -n sh -s', { stdin: script, timeoutMs: this.t('engineMs') + 30_000 });
      if (r.code !== 0) throw new AppError('provision_failed', `step configure-engine failed: ${remoteText(r.stderr || r.stdout)}`);
      emit({ step: 'configure-engine', state: 'done', detail: 'the engine listens on its local socket only' });
    } finally {
      conn.close();
    }
  }

  /** Waits until the engine answers over TLS with the controller's client certificate. */
  async waitForEngine(address: string, c: EngineCredentials): Promise<string> {
    const docker = new Docker({ protocol: 'https', host: address, port: enginePort, ca: c.ca, cert: c.cert, key: c.key, timeout: 5000 });
    const deadline = Date.now() + this.t('engineMs');
    let last = '';
    for (;;) {
      try {
        const v = await docker.version();
        return v.Version;
      } catch (err) {
        last = (err as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`the engine does not answer at tcp://${address}:${enginePort} with TLS: ${last}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** A file written by a script: a quoted here-document (no expansion) with a random delimiter. */
function writeFile(path: string, content: string, mode: string): string {
  const eof = `PAAS_EOF_${randomBytes(8).toString('hex')}`;
  const dir = path.slice(0, path.lastIndexOf('/'));
  return [`mkdir -p '${dir}'`, `cat > '${path}.paas-tmp' <<'${eof}'`, content.replace(/\n$/, ''), eof, `chmod ${mode} '${path}.paas-tmp'`, `mv '${path}.paas-tmp' '${path}'`].join('\n');
}

/**
 * Restarts dockerd with its daemon.json: through systemd where it is PID 1's manager, otherwise
 * (containers, machines without systemd) by its pid file and a new dockerd in the background.
 */
const restartEngineScript = `
if [ -d /run/systemd/system ]; then
  systemctl restart docker
else
  if [ -f /var/run/docker.pid ] && kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    pid=$(cat /var/run/docker.pid)
    kill "$pid"
    i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
  fi
  rm -f /var/run/docker.pid
  setsid dockerd >>/var/log/paas-dockerd.log 2>&1 < /dev/null &
fi
i=0
while ! docker version >/dev/null 2>&1; do
  i=$((i+1))
  if [ $i -gt 300 ]; then echo "dockerd did not start:" >&2; tail -n 5 /var/log/paas-dockerd.log >&2 2>/dev/null || journalctl -u docker -n 5 --no-pager >&2 || true; exit 1; fi
  sleep 0.2
done
echo "dockerd is running"`;
