import type http from 'node:http';
import type { Socket } from 'node:net';
import type { FrontOptions, HttpCodec, RouterFront } from './http-codec.js';
import { PooledBackendClient } from './pooled-backend-client.js';
import { streamResponseReader } from './stream-response-reader.js';

/**
 * The codec on node's public APIs only: node's HTTP server listens on the plain HTTP port itself
 * (it already serves everything the fast front hands over, so nothing else changes), and requests
 * go to the backends over the same keep-alive connections as the native codec's, their responses
 * read from the sockets' 'data' events by a parser of our own (response-parser.ts).
 */
export const nodeCodec: HttpCodec = {
  name: 'node',
  createFront({ server }: FrontOptions): RouterFront {
    // The server's own 'connection' listener (router-server.ts) counts the connections.
    return new NodeFront(server);
  },
  backendClient: (host, port, options) => new PooledBackendClient(host, port, options, streamResponseReader),
};

/**
 * node's server on the plain HTTP port. Stopping closes the idle connections at once; the answers
 * under way (and any request that still comes on a busy connection) say `Connection: close`, so
 * their connections close after them, as with the native front.
 */
class NodeFront implements RouterFront {
  private readonly answering = new Set<http.ServerResponse>();
  private stopping = false;

  constructor(readonly server: http.Server) {
    // Answers go out as written: node's server sets noDelay itself only on connections it accepts, and
    // a cluster worker gets its connections from the primary.
    server.on('connection', (socket: Socket) => socket.setNoDelay(true));
    server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (this.stopping) closeAfter(res);
      else if (!res.writableFinished) {
        this.answering.add(res);
        res.on('close', () => this.answering.delete(res));
      }
    });
  }

  closeIdle(): void {
    this.stopping = true;
    for (const res of this.answering) closeAfter(res);
    this.server.closeIdleConnections();
  }

  closeAll(): void {
    this.server.closeAllConnections();
  }
}

function closeAfter(res: http.ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}
