import type { Redis } from 'ioredis';
import type { Logger, RedisKeys } from '@paas/shared';
import { toError } from '@paas/shared';
import type { AccessEntry, AccessLogSink } from './access-log.js';

export interface RedisAccessLogSinkOptions {
  /** Flush at least this often while lines are waiting (ms). Default 50. */
  flushMs?: number;
  /** Flush as soon as this many lines wait. Default 500. */
  batch?: number;
  /** Lines kept while Redis is slow or away; more are dropped (and counted). Default 20000. */
  maxBuffered?: number;
  /** Approximate length each app's stream is trimmed to: the platform's PAAS_LOG_LINES (config.logLines). */
  maxLen: number;
  logger: Logger;
}

/**
 * XADDs a batch of lines: KEYS are the apps' streams, ARGV[1] the approximate MAXLEN, ARGV[2] the
 * batch packed into one string of `<key index> <ts> <line>\n` records (lines hold no newline). One
 * command and one argument per batch: the client side of per-line XADDs (ioredis command objects and
 * promises), then of three arguments per line, cost more than the proxying they logged. Records are
 * cut with plain finds (cheaper than a pattern), and each stream is trimmed once per batch.
 */
const appendLines = `
local maxlen = ARGV[1]
local s = ARGV[2]
local pos = 1
local n = 0
while true do
  local sp1 = string.find(s, ' ', pos, true)
  if not sp1 then break end
  local sp2 = string.find(s, ' ', sp1 + 1, true)
  local nl = string.find(s, '\\n', sp2 + 1, true)
  redis.call('XADD', KEYS[tonumber(string.sub(s, pos, sp1 - 1))], '*', 'source', 'router', 'line', string.sub(s, sp2 + 1, nl - 1), 'ts', string.sub(s, sp1 + 1, sp2 - 1))
  n = n + 1
  pos = nl + 1
end
for i = 1, #KEYS do redis.call('XTRIM', KEYS[i], 'MAXLEN', '~', maxlen) end
return n
`;

const minRetryMs = 100;
const maxRetryMs = 5000;

type WithAppendLines = Redis & { paasAppendLines(numKeys: number, ...args: string[]): Promise<number> };

/**
 * Access lines into each app's log stream in Redis (`<prefix>:logs:<app>`, entries `source=router`,
 * `line`, `ts`), trimmed to about `maxLen` entries (PAAS_LOG_LINES, as the controller trims them).
 * Lines are buffered and written in batches (one script call per batch, one batch in flight), so
 * the hot path only pushes to an array. While Redis is away (restarting, reconnecting) a batch that
 * could not be written goes back to the front of the buffer and is tried again with backoff; the
 * buffer is bounded: lines past it are dropped, and the drop is logged.
 */
export class RedisAccessLogSink implements AccessLogSink {
  private buffer: AccessEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dropped = 0;
  private failing = false;
  /** The wait before trying again while Redis does not answer (doubles up to maxRetryMs). */
  private retryMs = 0;
  private readonly flushMs: number;
  private readonly batch: number;
  private readonly maxBuffered: number;
  private readonly maxLen: string;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: RedisAccessLogSinkOptions,
  ) {
    this.flushMs = options.flushMs ?? 50;
    this.batch = options.batch ?? 500;
    this.maxBuffered = options.maxBuffered ?? 20_000;
    this.maxLen = String(options.maxLen);
    if (!('paasAppendLines' in redis)) redis.defineCommand('paasAppendLines', { lua: appendLines });
  }

  write(entry: AccessEntry): void {
    if (entry.app === undefined) return; // no app, no stream: the operator log has it
    if (this.buffer.length >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.buffer.push(entry);
    // While failing, only the retry timer flushes: a full batch must not hammer a Redis that is away.
    if (this.buffer.length >= this.batch && !this.failing) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.failing ? this.retryMs : this.flushMs);
  }

  /** Writes what is buffered now; resolves when it is written (or failed). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const entries = this.buffer;
    this.buffer = [];
    this.flushing = this.send(entries).finally(() => {
      this.flushing = undefined;
      if (this.buffer.length > 0) this.timer ??= setTimeout(() => void this.flush(), this.failing ? this.retryMs : this.flushMs);
    });
    await this.flushing;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async send(entries: AccessEntry[]): Promise<void> {
    const keyIndex = new Map<string, string>();
    const streams: string[] = [];
    let packed = '';
    // Lines of a batch mostly share their millisecond: each distinct one is formatted once.
    let lastAt = NaN;
    let lastTs = '';
    for (const e of entries) {
      let k = keyIndex.get(e.app!);
      if (k === undefined) {
        streams.push(this.keys.appLogs(e.app!));
        k = String(streams.length);
        keyIndex.set(e.app!, k);
      }
      if (e.at !== lastAt) {
        lastAt = e.at;
        lastTs = new Date(e.at).toISOString();
      }
      // No newline to escape: an entry's line holds none (AccessEntry), so each record ends at its own.
      packed += `${k} ${lastTs} ${e.line}\n`;
    }
    try {
      await (this.redis as WithAppendLines).paasAppendLines(streams.length, ...streams, this.maxLen, packed);
      if (this.failing || this.dropped > 0) {
        this.options.logger.info({ dropped: this.dropped }, 'access lines reach Redis again');
        this.failing = false;
        this.retryMs = 0;
        this.dropped = 0;
      }
    } catch (err) {
      // Kept, oldest first, for the next try; what does not fit is dropped (the newest, as in write).
      const kept = entries.concat(this.buffer);
      if (kept.length > this.maxBuffered) this.dropped += kept.length - this.maxBuffered;
      this.buffer = kept.slice(0, this.maxBuffered);
      if (!this.failing) this.options.logger.warn({ err: toError(err) }, 'access lines cannot be written to Redis; keeping them (bounded) until it answers');
      this.failing = true;
      this.retryMs = Math.min(maxRetryMs, Math.max(minRetryMs, this.retryMs * 2));
    }
  }
}
