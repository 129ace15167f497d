import type http from 'node:http';
import type net from 'node:net';
import type { Logger } from '@paas/shared';
import type { BackendClientFactory } from './backend-client.js';
import type { FrontHandlers } from './fast-front.js';
import { createNativeCodec } from './native-codec.js';
import { loadNativeHttp, requireHttpCommon, type HttpCommonModule } from './native-http-parser.js';
import { nodeCodec } from './node-codec.js';

/** PAAS_ROUTER_PARSER: which HTTP/1.1 codec the plain HTTP port and the backend connections use. */
export type CodecSetting = 'auto' | 'native' | 'node';

/** What listens on the plain HTTP port. */
export interface RouterFront {
  readonly server: net.Server;
  /** Closes the connections between requests; the others close after their answer. */
  closeIdle(): void;
  /** Closes every connection now. */
  closeAll(): void;
}

export interface FrontOptions {
  handlers: FrontHandlers;
  /** node's HTTP server with the router's handlers: it serves whatever the front does not serve itself. */
  server: http.Server;
  maxHeaderBytes: number;
  /** Counts a client connection (for the metrics). */
  onConnection: (socket: net.Socket) => void;
}

/**
 * The router's HTTP/1.1 codec: how the plain HTTP port reads requests and how requests go to the
 * backends. `native` drives node's own parser (llhttp) on the sockets' handles, through node
 * internals (`_http_common`, `socket._handle`): about twice node's server's speed per request.
 * `node` uses only public APIs: a front of the same kind on `net` sockets with a strict request-head
 * parser of its own (public-front.ts), node's http server for anything else, and the same
 * keep-alive backend connections read by the router's own response parser.
 * Both serve the same router test suite; HTTPS (HTTP/2 and HTTP/1.1 over TLS) is node's server either way.
 */
export interface HttpCodec {
  readonly name: 'native' | 'node';
  createFront(options: FrontOptions): RouterFront;
  readonly backendClient: BackendClientFactory;
}

export interface CodecChoice {
  codec: HttpCodec;
  /** Why this one: the setting, or what the shape check found. */
  reason: string;
}

/**
 * Picks the codec for a setting. `auto` takes the native one when node's parser has the shape it
 * relies on, else the one on public APIs; `native` insists (and fails with the reason when it cannot
 * be had); `node` never touches node's internals. `load` is for tests: a fake or broken `_http_common`.
 */
export function chooseCodec(setting: CodecSetting, load: () => HttpCommonModule = requireHttpCommon): CodecChoice {
  if (setting === 'node') return { codec: nodeCodec, reason: 'PAAS_ROUTER_PARSER=node' };
  const native = loadNativeHttp(load);
  if (typeof native !== 'string') return { codec: createNativeCodec(native), reason: setting === 'native' ? 'PAAS_ROUTER_PARSER=native' : "node's parser has the expected shape" };
  if (setting === 'native') throw new Error(`PAAS_ROUTER_PARSER=native: ${native} (set PAAS_ROUTER_PARSER=auto or node)`);
  return { codec: nodeCodec, reason: native };
}

/** chooseCodec, logged: a fallback from `auto` is a warning (the router runs, at node's server's speed). */
export function selectCodec(setting: CodecSetting, logger: Logger, load?: () => HttpCommonModule): HttpCodec {
  const { codec, reason } = chooseCodec(setting, load);
  const fields = { codec: codec.name, setting, reason, node: process.version };
  if (setting === 'auto' && codec.name === 'node') logger.warn(fields, "router HTTP/1.1 codec: node's public APIs (node's parser is not usable)");
  else logger.info(fields, `router HTTP/1.1 codec: ${codec.name}`);
  return codec;
}
