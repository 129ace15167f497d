// Drain receivers for tests and benchmarks: a syslog receiver (TCP or TLS, octet counting) and an
// HTTPS receiver (application/logplex-1), both able to go down and come back on the same port, and
// a self-signed certificate made with the openssl command.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { parseOctetFrames } from './rfc5424.js';

const exec = promisify(execFile);

export interface TestCert {
  cert: Buffer;
  key: Buffer;
  /** The certificate's file: what a client that must trust it is given (PAAS_DRAIN_CA_FILE). */
  certPath: string;
}

/** A self-signed certificate for 127.0.0.1 and localhost, in `dir`. */
export async function selfSignedCert(dir: string): Promise<TestCert> {
  const certPath = join(dir, 'drain-cert.pem');
  const keyPath = join(dir, 'drain-key.pem');
  await exec('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-keyout', keyPath, '-out', certPath,
    '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { cert: await readFile(certPath), key: await readFile(keyPath), certPath };
}

abstract class Receiver {
  readonly messages: string[] = [];
  port = 0;
  protected server: net.Server | undefined;
  protected readonly sockets = new Set<net.Socket>();

  protected abstract make(): net.Server;

  /** Listens (on the same port as before after a stop). */
  async start(): Promise<number> {
    const server = this.make();
    server.on('connection', (s: net.Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Goes down: refuses connections and drops the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The message bodies (after the RFC 5424 header), for comparing with what was logged. */
  bodies(): string[] {
    return this.messages.map((m) => /^<\d+>1 \S+ \S+ \S+ \S+ \S+ \S+ (.*)$/s.exec(m)?.[1] ?? m);
  }
}

/** RFC 5424 over TCP, or TLS with `cert`, with octet-counting framing. */
export class SyslogReceiver extends Receiver {
  constructor(private readonly cert?: TestCert) {
    super();
  }

  protected make(): net.Server {
    const onSocket = (socket: net.Socket): void => {
      let buffer: Buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        const { messages, rest } = parseOctetFrames(Buffer.concat([buffer, chunk]));
        this.messages.push(...messages);
        buffer = rest;
      });
      socket.on('error', () => {});
    };
    return this.cert ? tls.createServer({ cert: this.cert.cert, key: this.cert.key }, onSocket) : net.createServer(onSocket);
  }
}

/** Heroku's HTTPS drain protocol: POSTs of octet-counted messages (application/logplex-1). */
export class HttpsReceiver extends Receiver {
  readonly frameIds: string[] = [];
  /** Answer with this status instead of 200 (to test retries). */
  status = 200;

  constructor(private readonly cert: TestCert) {
    super();
  }

  protected make(): net.Server {
    return https.createServer({ cert: this.cert.cert, key: this.cert.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.status === 200) {
          const frame = String(req.headers['logplex-frame-id'] ?? '');
          // A retried batch carries the same frame id: keep it once.
          if (!this.frameIds.includes(frame)) {
            this.frameIds.push(frame);
            this.messages.push(...parseOctetFrames(Buffer.concat(chunks)).messages);
          }
        }
        res.writeHead(this.status).end();
      });
    });
  }
}
