/**
 * A request body as the backend clients read it: node's IncomingMessage and Http2ServerRequest are
 * ones. It is read with 'data' and 'end', paused and resumed for backpressure.
 */
export interface BodySource {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  once(event: 'end', listener: () => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'end', listener: () => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** One request for a backend. */
export interface BackendRequest {
  method: string;
  /** The request target, as the client sent it. */
  path: string;
  /** Flat `[name, value, …]`, sent as given (Host and Content-Length included, no hop-by-hop headers). */
  headers: string[];
  /** The body to stream to the backend, or null. It is read only once a connection is open. */
  body: BodySource | null;
  /** The body's length is not in the headers: it goes with chunked transfer coding. */
  chunked: boolean;
}

/** What a request's owner can do to it once it is on a connection. */
export interface BackendControl {
  /** Stops the request (onError follows, with the error given); closes its connection. */
  abort(err?: Error): void;
  /** Reads the response again after a handler returned false. */
  resume(): void;
}

export interface BackendHandler {
  /**
   * The request is about to go out on an open connection. `connectMs`: time spent opening the
   * connection (0 when reused).
   */
  onConnect(control: BackendControl, connectMs: number): void;
  /** Bytes of the body written to the backend. */
  onBodySent(bytes: number): void;
  /** The response head (1xx answers are not passed on). False pauses the response until `control.resume()`. */
  onHeaders(statusCode: number, rawHeaders: string[], statusText: string): boolean;
  /** A piece of the response body. False pauses the response until `control.resume()`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onError(err: Error): void;
}

export interface BackendClientOptions {
  connectTimeoutMs: number;
  /** How long a backend may take to start its response once the request is sent. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is not reused after this long (below node's 5 s keepAliveTimeout). */
  idleMs: number;
}

/**
 * HTTP/1.1 keep-alive connections to ONE backend address, without pipelining: what the proxy sends
 * its requests through (pooled-backend-client.ts), made by the codec (http-codec.ts), which decides how
 * answers are read off a connection (response-reader.ts): node's parser on the socket's handle, or
 * ResponseParser on its 'data' events. Either
 * way, a request whose reused connection turns out to have been closed by the backend before anything
 * came back, and that sent no body byte, goes again on a new connection; connection failures carry
 * their errno code, a backend slow to start its answer fails with `PAAS_HEADERS_TIMEOUT`, an invalid
 * answer with the parser's `HPE_*` code and an answer to a plain request that switches protocols with
 * `PAAS_UNEXPECTED_UPGRADE`.
 */
export interface BackendClient {
  /** Closing or destroyed: a new client is needed for further requests. */
  readonly closed: boolean;
  /** Connections open (busy and idle). */
  readonly connections: number;
  dispatch(request: BackendRequest, handler: BackendHandler): void;
  /** Graceful: idle connections close now, busy ones when their response is complete. */
  close(): void;
  /** Every connection closes now; requests in flight fail. */
  destroy(): void;
}

export type BackendClientFactory = (host: string, port: number, options: BackendClientOptions) => BackendClient;

export function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
