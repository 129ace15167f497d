import type { FrontOptions, HttpCodec, RouterFront } from './http-codec.js';
import { NodeBackendClient } from './node-backend-client.js';

/**
 * The codec on node's public APIs only: node's HTTP server listens on the plain HTTP port itself
 * (it already serves everything the fast front hands over, so nothing else changes), and requests
 * go to the backends with node's http client over keep-alive agents (node-backend-client.ts).
 */
export const nodeCodec: HttpCodec = {
  name: 'node',
  createFront({ server }: FrontOptions): RouterFront {
    // The server's own 'connection' listener (router-server.ts) counts the connections.
    return {
      server,
      closeIdle: () => server.closeIdleConnections(),
      closeAll: () => server.closeAllConnections(),
    };
  },
  backendClient: (host, port, options) => new NodeBackendClient(host, port, options),
};
