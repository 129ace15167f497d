import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@paas/shared';

/** `500 MB` for PAAS_MAX_PUSH_MB's bytes (MiB); small test limits in bytes. */
function mb(bytes: number): string {
  if (bytes < 1024 * 1024) return `${bytes} bytes`;
  return `${Math.round((bytes / (1024 * 1024)) * 100) / 100} MB`;
}

/** The refusal of a pushed tree over the limit (413 payload_too_large). */
export function pushTooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `the pushed tree is larger than ${mb(maxBytes)} (PAAS_MAX_PUSH_MB): remove large files from the repository (or keep them out with .gitignore) and push again`, {
    details: { limit_bytes: maxBytes },
  });
}

/**
 * Writes a pushed tree (the pre-receive hook's `git archive`) to `path`, refusing it once it passes
 * `maxBytes`: the file is removed at once, so a large tree never fills the disk. The source is not
 * destroyed (it is the hook's request: the refusal is still written to its response); what it still
 * sends is read and dropped until the hook, reading the refusal, stops.
 */
export async function writePushedTree(source: Readable, path: string, maxBytes: number): Promise<void> {
  let seen = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > maxBytes) done(pushTooLarge(maxBytes));
      else done(null, chunk);
    },
  });
  source.pipe(limit);
  try {
    await pipeline(limit, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    source.unpipe(limit);
    source.resume();
    await rm(path, { force: true });
    throw err;
  }
}
