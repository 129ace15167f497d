import type { IncomingMessage } from 'node:http';

export interface DrainLimits {
  /** Bytes of body read and thrown away at most (a larger declared Content-Length is not read at all). */
  maxBytes: number;
  /** How long the rest of a body may take to arrive. */
  maxMs: number;
}

/** Enough for any body just past the API's 1 MB limit, little enough that a refused upload is not read for long. */
export const defaultDrainLimits: DrainLimits = { maxBytes: 8 * 1024 * 1024, maxMs: 5_000 };

/**
 * Reads and discards what is left of a request's body, so that an answer sent before the body was read
 * (413, 415, 401 …) reaches the client: a server that closes a connection the client is still writing
 * to resets it, and the reset can destroy the answer before the client reads it (EPIPE, no status).
 * Resolves true once the body has ended, false when it is over `limits` or the client went away (then
 * the connection is best closed right after the answer).
 */
export function drainRequestBody(req: IncomingMessage, limits: DrainLimits = defaultDrainLimits): Promise<boolean> {
  if (req.complete || req.readableEnded) return Promise.resolve(true);
  if (req.destroyed || req.socket.destroyed) return Promise.resolve(false);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) return Promise.resolve(false);
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (drained: boolean): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      if (!drained) req.pause();
      resolve(drained);
    };
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) done(false);
    };
    const onEnd = (): void => done(true);
    const onClose = (): void => done(req.complete);
    const timer = setTimeout(() => done(false), limits.maxMs);
    timer.unref();
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    req.once('error', onClose);
    // Whatever read the body before (a parser that refused it) has stopped; nothing else wants these bytes.
    req.unpipe();
    req.resume();
  });
}
