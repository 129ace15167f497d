import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

/**
 * Node's own HTTP/1 parser (llhttp, in C++), the one its http client and server run on, used
 * directly: no IncomingMessage or stream per response. It is reached through `_http_common`, which
 * node exports but does not document (deprecated as DEP0199); its shape has been stable since node 12.
 * Nothing here runs at import: `loadNativeHttp` loads it on demand and checks its shape, and the
 * router falls back to its codec on public APIs when it is gone or changed (http-codec.ts).
 */
export interface NativeHttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  /** Parses a chunk: the bytes consumed, or an Error (with `code`, e.g. `HPE_INVALID_CONSTANT`). */
  execute(data: Buffer): number | Error;
  /** The connection ended: completes a body delimited by the close, or an Error for a cut message. */
  finish(): number | Error | undefined;
  close(): void;
  /**
   * Reads a socket's handle itself (as node's own server does): each read goes straight from libuv
   * into the parser, into a buffer the parser reuses, with no stream event, no buffer per read and
   * no `execute` call; kOnExecute gets the result of each read's parse.
   */
  consume(handle: object): void;
  /** Gives the handle back to its stream. */
  unconsume(): void;
  /** A copy of the read being parsed (only while kOnExecute runs for a consumed handle). */
  getCurrentBuffer(): Buffer;
  [callback: number]: unknown;
}

export interface NativeHttpParserClass {
  new (): NativeHttpParser;
  REQUEST: number;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
}

/** node's parser and its method names, once the shape check passed. */
export interface NativeHttp {
  HTTPParser: NativeHttpParserClass;
  /** Method names by the parser's method number (as node's server reads them). */
  methods: string[];
}

/** What `_http_common` may export (it is undocumented: anything may be missing). */
export interface HttpCommonModule {
  HTTPParser?: unknown;
  methods?: unknown;
}

/** Loads `_http_common` the way node's own modules do; throws when this node has none. */
export function requireHttpCommon(): HttpCommonModule {
  return createRequire(import.meta.url)('_http_common') as HttpCommonModule;
}

/** A reason this module's parser cannot be used, or undefined when it can. */
export function parserShapeError(common: HttpCommonModule): string | undefined {
  if (typeof common.HTTPParser !== 'function') return `node ${process.version} does not export HTTPParser from _http_common`;
  const P = common.HTTPParser as unknown as Record<string, unknown> & { prototype?: Record<string, unknown> };
  for (const k of ['REQUEST', 'RESPONSE', 'kOnHeaders', 'kOnHeadersComplete', 'kOnBody', 'kOnMessageComplete', 'kOnExecute'] as const) {
    if (typeof P[k] !== 'number') return `node ${process.version}'s HTTPParser has no ${k}`;
  }
  if (!Array.isArray(common.methods) || common.methods[1] !== 'GET') return `node ${process.version} does not export the parser's method names`;
  for (const m of ['initialize', 'execute', 'finish', 'close', 'consume', 'unconsume', 'getCurrentBuffer'] as const) {
    if (typeof P.prototype?.[m] !== 'function') return `node ${process.version}'s HTTPParser has no ${m}()`;
  }
  return undefined;
}

/**
 * node's parser, or the reason it cannot be used: never throws, whatever this node's `_http_common`
 * is (missing, deprecated into a throw, or changed). `load` is for tests (a fake or broken module).
 */
export function loadNativeHttp(load: () => HttpCommonModule = requireHttpCommon): NativeHttp | string {
  let common: HttpCommonModule;
  try {
    common = load();
  } catch (err) {
    return `node ${process.version} cannot load _http_common: ${(err as Error).message}`;
  }
  const error = parserShapeError(common);
  if (error) return error;
  return { HTTPParser: common.HTTPParser as NativeHttpParserClass, methods: common.methods as string[] };
}

/**
 * What the parser calls with a message's head. `headers` is a flat `[name, value, …]` list, or
 * undefined when the head had more fields than fit in one call (they came through kOnHeaders first).
 * Returning 1 tells the parser the message has no body (the answer to a HEAD request).
 */
export type OnHeadersComplete = (
  versionMajor: number,
  versionMinor: number,
  headers: string[] | undefined,
  method: number | undefined,
  url: string | undefined,
  statusCode: number,
  statusMessage: string,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number;

/** The part of a socket's libuv handle (node's TCP wrap) that is driven while a parser reads it (`consume`). */
export interface StreamHandle {
  readStart(): number;
  readStop(): number;
  /** net's own note of whether the handle reads. */
  reading?: boolean;
  /** Set by node's HTTP server on a handle its parser reads; set here to keep its parser off one. */
  _consumed?: boolean;
}

/** The socket's handle: created by `net.connect` and present on an accepted socket until it closes. */
export function handleOf(socket: Socket): StreamHandle | null {
  return (socket as unknown as { _handle: StreamHandle | null })._handle;
}

/**
 * Stops or starts reading a handle a parser consumes (backpressure): the socket's stream does not
 * see those reads, so its pause() and resume() would not. net's `reading` note is kept in step.
 */
export function setReading(handle: StreamHandle, on: boolean): void {
  handle.reading = on;
  if (on) handle.readStart();
  else handle.readStop();
}
