import type net from 'node:net';

/** What a backend connection hears of the responses read from its socket. */
export interface ResponseSink {
  /** A response's head (`fields`: flat `[name, value, …]`). True: it has no body (the answer to HEAD). */
  onHead(statusCode: number, statusMessage: string, fields: string[], upgrade: boolean, keepAlive: boolean): boolean;
  onBody(chunk: Buffer): void;
  onComplete(): void;
  /** The bytes are not a valid response (an Error with the parser's `HPE_*` code). */
  onParseError(err: Error): void;
}

/** Reads responses from one backend connection's socket: the part of a codec the connection drives. */
export interface ResponseReader {
  /** Stops reading (backpressure) until `resume`. */
  pause(): void;
  resume(): void;
  /** The connection closed: completes a body delimited by the close (a cut one is left to the caller). */
  finish(): void;
  /** Frees the reader once the socket has closed (never from inside one of its own callbacks). */
  close(): void;
}

/** Makes the reader for a socket just opened by `net.connect`. */
export type ResponseReaderFactory = (socket: net.Socket, sink: ResponseSink) => ResponseReader;
