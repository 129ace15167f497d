import type { Redis } from 'ioredis';
import type { BuildLogEntry, BuildResult } from './types.js';

/** How long a build's output stream is kept in Redis after the build ends (the controller also keeps a copy). */
const retainSeconds = 24 * 3600;

/** Entries a build's output stream keeps at most (about: trimmed with MAXLEN ~). */
export const buildLogMaxEntries = 100_000;

/**
 * Writes a build's output as a Redis stream, one entry a line, closed by an `end` entry. Readers can
 * join at any time and miss nothing of the last `maxEntries` lines: the stream is trimmed (MAXLEN ~)
 * past them, so a flood of lines costs Redis a bounded amount (the builder also caps what it streams:
 * apps/builder/src/build-output.ts).
 */
export class BuildLogWriter {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly maxEntries = buildLogMaxEntries,
  ) {}

  async line(text: string): Promise<void> {
    await this.redis.xadd(this.key, 'MAXLEN', '~', this.maxEntries, '*', 't', 'line', 'line', text);
  }

  async lines(text: string): Promise<void> {
    const parts = text.replace(/\r\n/g, '\n').split('\n');
    if (parts.at(-1) === '') parts.pop();
    if (parts.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const part of parts) pipeline.xadd(this.key, 'MAXLEN', '~', this.maxEntries, '*', 't', 'line', 'line', part);
    await pipeline.exec();
  }

  async succeeded(result: BuildResult): Promise<void> {
    await this.end(['status', 'succeeded', 'result', JSON.stringify(result)]);
  }

  /** Ends a stream that only carries lines for a reader (an API build's output_stream_url). */
  async done(): Promise<void> {
    await this.end(['status', 'succeeded', 'result', '{}']);
  }

  async failed(code: string, error: string): Promise<void> {
    await this.end(['status', 'failed', 'code', code, 'error', error]);
  }

  private async end(fields: string[]): Promise<void> {
    await this.redis.multi().xadd(this.key, '*', 't', 'end', ...fields).expire(this.key, retainSeconds).exec();
  }
}

function toEntry(fields: string[]): BuildLogEntry | undefined {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  if (map.get('t') === 'line') return { type: 'line', text: map.get('line') ?? '' };
  if (map.get('t') !== 'end') return undefined;
  if (map.get('status') === 'succeeded') {
    return { type: 'end', status: 'succeeded', result: JSON.parse(map.get('result') ?? '{}') as BuildResult };
  }
  return { type: 'end', status: 'failed', code: map.get('code') ?? 'build_failed', error: map.get('error') ?? 'build failed' };
}

export interface ReadBuildLogOptions {
  /** Stop waiting for new entries after this long without one (ms). */
  idleTimeoutMs: number;
  /** Checked between reads; reading stops when it returns true. */
  cancelled?: () => boolean;
}

/**
 * Reads a build's output from the start, following it live, until its `end` entry. `redis` must be a
 * connection of its own: XREAD BLOCK holds it. Yields a synthetic failure if no entry arrives within
 * the idle timeout (a builder that died).
 */
export async function* readBuildLog(redis: Redis, key: string, options: ReadBuildLogOptions): AsyncGenerator<BuildLogEntry> {
  let lastId = '0-0';
  let idleSince = Date.now();
  while (!options.cancelled?.()) {
    const res = (await redis.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', key, lastId)) as
      | [string, [string, string[]][]][]
      | null;
    if (!res) {
      if (Date.now() - idleSince > options.idleTimeoutMs) {
        yield { type: 'end', status: 'failed', code: 'build_failed', error: 'the builder stopped sending output (timed out)' };
        return;
      }
      continue;
    }
    idleSince = Date.now();
    for (const [, entries] of res) {
      for (const [id, fields] of entries) {
        lastId = id;
        const entry = toEntry(fields);
        if (!entry) continue;
        yield entry;
        if (entry.type === 'end') return;
      }
    }
  }
}
