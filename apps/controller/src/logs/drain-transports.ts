import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { EgressGuard } from '@paas/shared';
import type { DrainTarget } from './drain-url.js';
import { octetFrame } from './rfc5424.js';

/** Delivers batches of RFC 5424 messages to one drain; rejects when the batch may not have arrived. */
export interface DrainTransport {
  send(messages: string[], frameId: string): Promise<void>;
  close(): void;
}

export interface TransportOptions {
  /** Heroku's drain token, sent with HTTPS deliveries (`Logplex-Drain-Token`). */
  token: string;
  /** Extra CA certificates trusted besides the system's (a private CA; tests). */
  ca?: Buffer | undefined;
  timeoutMs?: number;
  /** The egress guard: every address is checked before connecting, and again by the socket's lookup. */
  guard: EgressGuard;
}

/** Refuses a host that is, or resolves to, an address drains may not reach (before any connection). */
async function checkTarget(host: string, o: TransportOptions): Promise<void> {
  try {
    await o.guard.checkHost(host, { field: 'drain' });
  } catch (err) {
    throw new Error(`refused: ${(err as Error).message.replace(/^drain: /, '')}`);
  }
}

export function transportFor(target: DrainTarget, o: TransportOptions): DrainTransport {
  return target.kind === 'https' ? new HttpsDrainTransport(target.url, o) : new SyslogDrainTransport(target, o);
}

function trusted(ca: Buffer | undefined): string[] | undefined {
  return ca ? [...tls.rootCertificates, ca.toString('utf8')] : undefined;
}

/**
 * Heroku's HTTPS drain protocol: a POST per batch with `Content-Type: application/logplex-1`, the
 * body the octet-counted messages, `Logplex-Msg-Count`, `Logplex-Frame-Id` (the same on a retry, so
 * a receiver can drop a batch it already has) and `Logplex-Drain-Token`. Any 2xx is delivered.
 */
export class HttpsDrainTransport implements DrainTransport {
  private readonly agent: https.Agent;

  constructor(
    private readonly url: URL,
    private readonly o: TransportOptions,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: trusted(o.ca) });
  }

  async send(messages: string[], frameId: string): Promise<void> {
    await checkTarget(this.url.hostname.replace(/^\[|\]$/g, ''), this.o);
    const body = Buffer.from(messages.map(octetFrame).join(''), 'utf8');
    const auth = this.url.username ? `${decodeURIComponent(this.url.username)}:${decodeURIComponent(this.url.password)}` : undefined;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          protocol: 'https:',
          hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
          port: this.url.port || 443,
          path: `${this.url.pathname}${this.url.search}`,
          method: 'POST',
          agent: this.agent,
          auth,
          lookup: this.o.guard.lookup,
          timeout: this.o.timeoutMs ?? 10_000,
          headers: {
            'content-type': 'application/logplex-1',
            'content-length': body.length,
            'logplex-msg-count': messages.length,
            'logplex-frame-id': frameId,
            'logplex-drain-token': this.o.token,
            'user-agent': 'paas-log-drain',
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`the drain answered HTTP ${status}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`the drain did not answer within ${this.o.timeoutMs ?? 10_000} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A batch written less than this long before the connection broke may not have arrived: it is sent again. */
const unconfirmedMs = 2000;

/**
 * RFC 5424 over TCP (`syslog://`) or TLS (`syslog+tls://`, RFC 5425) with RFC 6587 octet counting,
 * on one long-lived connection. TCP does not acknowledge messages to the sender, so a batch written
 * shortly before the connection breaks is sent again on the next one: a receiver may see a line
 * twice, but not lose it.
 */
export class SyslogDrainTransport implements DrainTransport {
  private socket: net.Socket | undefined;
  private last: { data: string; at: number } | undefined;
  private resend: string | undefined;

  constructor(
    private readonly target: { tls: boolean; host: string; port: number },
    private readonly o: TransportOptions,
  ) {}

  async send(messages: string[]): Promise<void> {
    let data = messages.map(octetFrame).join('');
    const socket = await this.connect();
    if (this.resend) data = this.resend + data;
    await new Promise<void>((resolve, reject) => {
      if (socket.destroyed) return reject(new Error('the drain closed the connection'));
      socket.write(data, 'utf8', (err) => (err ? reject(err) : resolve()));
    });
    if (this.socket !== socket) throw new Error('the drain closed the connection');
    this.resend = undefined;
    this.last = { data, at: Date.now() };
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async connect(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const { host, port } = this.target;
    await checkTarget(host, this.o);
    return new Promise((resolve, reject) => {
      const timeoutMs = this.o.timeoutMs ?? 10_000;
      const socket = this.target.tls
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ca: trusted(this.o.ca), lookup: this.o.guard.lookup })
        : net.connect({ host, port, lookup: this.o.guard.lookup });
      const timer = setTimeout(() => socket.destroy(new Error(`could not connect within ${timeoutMs} ms`)), timeoutMs);
      socket.once(this.target.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.setKeepAlive(true, 30_000);
        socket.setNoDelay(true);
        this.socket = socket;
        resolve(socket);
      });
      socket.on('data', () => {}); // receivers may talk back; nothing to read
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (this.socket === socket) {
          this.socket = undefined;
          if (this.last && Date.now() - this.last.at < unconfirmedMs) this.resend = this.last.data;
          this.last = undefined;
        }
        reject(new Error('the drain closed the connection'));
      });
    });
  }
}
