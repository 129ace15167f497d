import type { Http2SecureServer, ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';

/** How long an HTTP/2 connection may sit without frames before the router closes it (gracefully). */
const idleSessionMs = 65_000;

/**
 * The connections of the router's HTTP/2-capable TLS server, for a graceful stop: HTTP/2 sessions get
 * a GOAWAY (streams in flight finish) and are destroyed after the grace period; HTTP/1.1 connections
 * on the same server (ALPN fallback) close when idle, or are destroyed after the grace period. node's
 * `closeIdleConnections` knows only the HTTP/1.1 ones, and this server has no `closeAllConnections`.
 * Idle HTTP/2 sessions are closed after 65 s, as idle HTTP/1.1 connections are.
 */
export class Http2Sessions {
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly server: Http2SecureServer) {
    server.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
      session.setTimeout(idleSessionMs, () => session.close());
    });
    server.on('secureConnection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** HTTP/2 sessions get a GOAWAY; idle HTTP/1.1 connections close. */
  closeIdle(): void {
    for (const session of this.sessions) session.close();
    (this.server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
  }

  /** Everything still open is cut. */
  closeAll(): void {
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
  }
}
