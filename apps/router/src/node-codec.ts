import type { FrontOptions, HttpCodec, RouterFront } from './http-codec.js';
import { frontSettings } from './fast-front.js';
import { PublicFront } from './public-front.js';
import { PooledBackendClient } from './pooled-backend-client.js';
import { streamResponseReader } from './stream-response-reader.js';

/**
 * The codec on node's public APIs only: the public front (public-front.ts) on the plain HTTP port
 * serves plain proxied requests itself and hands every other connection to node's HTTP server
 * (through its documented 'connection' event), and requests go to the backends over the same keep-alive connections as the native codec's, their responses
 * read from the sockets' 'data' events by a parser of our own (response-parser.ts).
 */
export const nodeCodec: HttpCodec = {
  name: 'node',
  createFront(o: FrontOptions): RouterFront {
    return new PublicFront(frontSettings(o));
  },
  backendClient: (host, port, options) => new PooledBackendClient(host, port, options, streamResponseReader),
};
