/**
 * Moves an image from one Docker engine to another without a registry: `docker save` on the source
 * streamed straight into `docker load` on the target (nothing is buffered on disk or in memory).
 * A target that already holds the image's id is left alone (at most it gets the missing tag).
 */
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { AppError, toError } from '@paas/shared';

export interface ImageTransferOptions {
  /** Aborts the transfer (for example `AbortSignal.timeout(ms)`): a lost engine can otherwise stall it for minutes. */
  signal?: AbortSignal;
}

export interface ImageTransferResult {
  /** The image id (`sha256:…`), the same on both engines. */
  id: string;
  /** False when the target already had the image. */
  transferred: boolean;
  /** Bytes of the saved image archive that crossed over (0 when skipped). */
  bytes: number;
  ms: number;
}

export async function transferImage(
  from: Docker,
  to: Docker,
  image: string,
  options: ImageTransferOptions = {},
): Promise<ImageTransferResult> {
  const started = Date.now();
  const source = await inspect(from, image).catch((err: unknown) => {
    throw engineError(`cannot inspect image ${image} on ${engineName(from)}`, err);
  });
  if (!source) throw new AppError('not_found', `image ${image} is not on the source engine ${engineName(from)}`);
  const id = source.Id;
  const done = (transferred: boolean, bytes: number): ImageTransferResult => ({ id, transferred, bytes, ms: Date.now() - started });

  const present = await inspect(to, image).catch((err: unknown) => {
    throw engineError(`cannot reach the target engine ${engineName(to)}`, err);
  });
  if (present?.Id === id) return done(false, 0);
  const ref = splitReference(image);
  if (ref && (await inspect(to, id))) {
    await to.getImage(id).tag(ref).catch((err: unknown) => {
      throw engineError(`cannot tag ${id} as ${image} on ${engineName(to)}`, err);
    });
    await verify(to, image, id);
    return done(false, 0);
  }

  let archive: Readable;
  try {
    archive = (await from.getImage(image).get()) as Readable;
  } catch (err) {
    throw engineError(`cannot save image ${image} on ${engineName(from)}`, err);
  }
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  // A failing source destroys `counted`, which aborts the upload to the target (docker-modem
  // destroys the request when its body errors).
  const upload = pipeline(archive, counted).catch(() => undefined);
  try {
    const answer = (await to.loadImage(counted, { quiet: true, abortSignal: options.signal })) as Readable;
    const failure = await loadFailure(answer);
    if (failure) throw new AppError('unavailable', `${engineName(to)} could not load image ${image}: ${failure}`, { retryable: true });
  } catch (err) {
    if (err instanceof AppError) throw err;
    const reason = options.signal?.aborted ? toError(options.signal.reason) : err;
    throw engineError(`transferring image ${image} from ${engineName(from)} to ${engineName(to)} failed`, reason);
  } finally {
    archive.destroy();
    counted.destroy();
    await upload;
  }
  await verify(to, image, id);
  return done(true, bytes);
}

/** `repo:tag` of a reference, or undefined for ids and digests (which cannot be tagged as such). */
export function splitReference(image: string): { repo: string; tag: string } | undefined {
  if (image.includes('@') || /^(sha256:)?[0-9a-f]{12,64}$/.test(image)) return undefined;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? { repo: image.slice(0, colon), tag: image.slice(colon + 1) } : { repo: image, tag: 'latest' };
}

/** Where an engine is, for error messages: its socket path or URL. */
export function engineName(docker: Docker): string {
  const modem = docker.modem as { socketPath?: unknown; protocol?: string; host?: string; port?: number | string };
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  if (typeof modem.socketPath === 'function') return 'the local Docker engine'; // docker-modem's default socket
  if (modem.host) return `${modem.protocol === 'https' ? 'https' : 'tcp'}://${modem.host}:${modem.port ?? ''}`;
  return 'the Docker engine';
}

async function inspect(docker: Docker, image: string): Promise<Docker.ImageInspectInfo | undefined> {
  try {
    return await docker.getImage(image).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

async function verify(to: Docker, image: string, id: string): Promise<void> {
  const loaded = await inspect(to, image).catch((err: unknown) => {
    throw engineError(`cannot check image ${image} on ${engineName(to)} after loading it`, err);
  });
  if (!loaded) throw new AppError('internal', `image ${image} is not on ${engineName(to)} after loading it`);
  if (loaded.Id !== id) throw new AppError('internal', `image ${image} on ${engineName(to)} is ${loaded.Id} after loading ${id}`);
}

/** Reads `docker load`'s JSON messages to the end; returns the engine's error message, if any. */
async function loadFailure(answer: Readable): Promise<string | undefined> {
  let text = '';
  answer.setEncoding('utf8');
  for await (const chunk of answer) text += String(chunk);
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let message: { error?: string; errorDetail?: { message?: string } };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      continue;
    }
    if (message.error || message.errorDetail) return message.errorDetail?.message ?? message.error;
  }
  return undefined;
}

function engineError(what: string, err: unknown): AppError {
  const cause = toError(err);
  return new AppError('unavailable', `${what}: ${cause.message}`, { retryable: true, cause });
}
