import { FastFront, frontSettings } from './fast-front.js';
import type { FrontOptions, HttpCodec, RouterFront } from './http-codec.js';
import { nativeResponseReader } from './native-response-reader.js';
import { PooledBackendClient } from './pooled-backend-client.js';
import type { NativeHttp } from './native-http-parser.js';

/**
 * The native codec: the fast front on the plain HTTP port (fast-front.ts; node's server gets the
 * connections it does not serve itself) and keep-alive connections to the backends, both on node's
 * parser, which the caller has loaded and shape-checked (loadNativeHttp).
 */
export function createNativeCodec(native: NativeHttp): HttpCodec {
  const reader = nativeResponseReader(native);
  return {
    name: 'native',
    createFront(o: FrontOptions): RouterFront {
      return new FastFront({ ...frontSettings(o), native });
    },
    backendClient: (host, port, options) => new PooledBackendClient(host, port, options, reader),
  };
}
