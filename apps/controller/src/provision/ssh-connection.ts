/**
 * One SSH session to a machine being provisioned (`ssh2`): the host key is checked against the one
 * pinned on first use (`pin`), every command has a deadline and a bound on the output kept, and
 * whatever the server sends is treated as untrusted text. Commands are constant scripts written by
 * paas: values (certificates, JSON) travel on stdin, never inside the command line.
 */
import { createHash } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Client, type ClientChannel } from 'ssh2';
import { AppError } from '@paas/shared';

/** The host key a server showed: its type and SHA-256 fingerprint (as OpenSSH prints it). */
export interface HostKey {
  type: string;
  fingerprint: string;
}

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Bytes of each stream a command's result keeps (the tail). */
const maxOutput = 64 * 1024;

/** `SHA256:<base64 without padding>` of a raw public key blob, as `ssh-keygen -lf` shows it. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob (`ssh-ed25519`, …). */
function keyType(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const n = key.readUInt32BE(0);
  return n > 0 && n < 64 && key.length >= 4 + n ? key.subarray(4, 4 + n).toString('latin1').replace(/[^\x21-\x7e]/g, '?') : 'unknown';
}

export class SshConnection {
  private constructor(
    private readonly client: Client,
    readonly hostKey: HostKey,
  ) {}

  /**
   * Connects, or fails with a clear error: `pinned` is the key seen before (none: the first use, the
   * key shown is accepted and answered as `hostKey`); another key is refused (host_key_mismatch).
   */
  static async connect(target: SshTarget, pinned: HostKey | undefined, timeoutMs = 20_000): Promise<SshConnection> {
    const address = await resolveHost(target.host, Math.min(timeoutMs, 5000));
    return new Promise((resolve, reject) => {
      const client = new Client();
      let seen: HostKey | undefined;
      let mismatch = false;
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        client.destroy();
        reject(err);
      };
      // ssh2's readyTimeout covers the handshake; this covers a server that accepts and says nothing at all.
      const timer = setTimeout(() => fail(new AppError('provision_failed', `ssh ${target.host}:${target.port}: no SSH session within ${timeoutMs / 1000} s`)), timeoutMs);
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(new SshConnection(client, seen!));
      });
      client.on('error', (err) => {
        if (mismatch) {
          fail(
            new AppError(
              'host_key_mismatch',
              `ssh ${target.host}:${target.port}: the host key changed (${seen?.type} ${seen?.fingerprint}, pinned ${pinned?.type} ${pinned?.fingerprint}): refusing to connect. If the machine was reinstalled, remove its pinned key first.`,
            ),
          );
          return;
        }
        const level = (err as { level?: string }).level;
        const why = level === 'client-authentication' ? 'the server refused the key (authentication failed)' : err.message;
        fail(new AppError('provision_failed', `ssh ${target.username}@${target.host}:${target.port}: ${why}`));
      });
      client.on('close', () => fail(new AppError('provision_failed', `ssh ${target.host}:${target.port}: the connection closed before the session was ready`)));
      try {
        client.connect({
          host: address,
          port: target.port,
          username: target.username,
          privateKey: target.privateKey,
          ...(target.passphrase ? { passphrase: target.passphrase } : {}),
          readyTimeout: timeoutMs,
          keepaliveInterval: 10_000,
          keepaliveCountMax: 3,
          hostVerifier: (key: Buffer) => {
            seen = { type: keyType(key), fingerprint: fingerprintOf(key) };
            if (pinned && pinned.fingerprint !== seen.fingerprint) {
              mismatch = true;
              return false;
            }
            return true;
          },
        });
      } catch (err) {
        // a key ssh2 cannot parse, say
        fail(new AppError('invalid_params', `private_key: ${(err as Error).message}`));
      }
    });
  }

  /**
   * Runs a constant script with `stdin` on its standard input; resolves with its exit code and the
   * tail of its output. Past `timeoutMs` the channel is closed and the call fails (a hung command).
   */
  exec(script: string, options: { stdin?: string; timeoutMs: number; onOutput?: (line: string) => void }): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      let channel: ClientChannel | undefined;
      let done = false;
      const timer = setTimeout(() => {
        if (done) return;
        done = true;
        channel?.close();
        reject(new AppError('provision_failed', `the command did not finish within ${Math.round(options.timeoutMs / 1000)} s`));
      }, options.timeoutMs);
      this.client.exec(script, (err, ch) => {
        if (err) {
          done = true;
          clearTimeout(timer);
          reject(new AppError('provision_failed', `cannot run a command over SSH: ${err.message}`));
          return;
        }
        channel = ch;
        let stdout = '';
        let stderr = '';
        let partial = '';
        const keep = (text: string, chunk: Buffer): string => (text + chunk.toString('utf8')).slice(-maxOutput);
        ch.on('data', (c: Buffer) => {
          stdout = keep(stdout, c);
          if (options.onOutput) {
            partial = (partial + c.toString('utf8')).slice(-4096);
            const lines = partial.split('\n');
            partial = lines.pop() ?? '';
            for (const l of lines) options.onOutput(l);
          }
        });
        ch.stderr.on('data', (c: Buffer) => (stderr = keep(stderr, c)));
        ch.on('error', () => undefined);
        ch.on('close', (code: number | null) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
        });
        if (options.stdin !== undefined) ch.end(options.stdin);
        else ch.end();
      });
    });
  }

  close(): void {
    this.client.end();
  }
}

/**
 * A host name's address through c-ares (dns.Resolver) with a deadline, not getaddrinfo: a name that
 * never resolves would otherwise hold one of libuv's four pool threads (which the file system and
 * crypto share) for as long as the system resolver waits.
 */
async function resolveHost(host: string, timeoutMs: number): Promise<string> {
  if (isIP(host)) return host;
  if (host === 'localhost') return '127.0.0.1';
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  const found = await resolver.resolve4(host).catch(() => resolver.resolve6(host)).catch((err: NodeJS.ErrnoException) => {
    throw new AppError('provision_failed', `ssh ${host}: the name does not resolve (${err.code ?? err.message})`);
  });
  if (!found[0]) throw new AppError('provision_failed', `ssh ${host}: the name has no address`);
  return found[0];
}

/** Text from a remote machine, made safe to show: printable, one line, bounded. */
export function remoteText(text: string, max = 300): string {
  const clean = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[^\x20-\x7e\n]/g, '?').trim();
  const last = clean.split('\n').filter((l) => l.trim()).slice(-3).join(' | ');
  return last.length > max ? `${last.slice(0, max)}…` : last;
}
