import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import { logEntryFields, matchesLogFilter, parseLogEntry, type LogEntry, type LogFilter, type RedisKeys, type StoredLogEntry } from '@paas/shared';

type RawEntries = [string, string[]][];

/**
 * Appends entries to the stream, then trims it to about ARGV[1] entries and sets a cursor field when
 * one is given: one command, atomic, so a collector restarting from its cursor neither loses nor
 * repeats a line (and far cheaper than a MULTI of XADDs). Entries come in runs of one source and
 * process (ARGV: source, process, count, then count × ts, line): a follower's batch is one run, so a
 * line costs two arguments to encode rather than four.
 */
const appendScript = `
local i = 4
local n = 0
while i <= #ARGV do
  local source, process, count = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  for j = 1, count do
    redis.call('XADD', KEYS[1], '*', 'source', source, 'process', process, 'line', ARGV[i + 1], 'ts', ARGV[i])
    i = i + 2
  end
  n = n + count
end
redis.call('XTRIM', KEYS[1], 'MAXLEN', '~', ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
return n`;
const appendSha = createHash('sha1').update(appendScript).digest('hex');

/** What a stream holds now, read atomically with XINFO STREAM (Redis ≥ 7). */
export interface StreamInfo {
  /** Entries ever added (trimming does not lower it): the sequence number of the last entry. */
  entriesAdded: number;
  length: number;
  firstId: string | undefined;
  lastId: string;
}

/** Stream ids compare as `ms-seq` pairs. */
export function compareIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

export function isStreamId(s: string): boolean {
  return /^\d{1,20}-\d{1,20}$/.test(s);
}

/**
 * Each app's log stream in Redis (`<prefix>:logs:<app>`), one entry a line, trimmed to about
 * `maxLines` entries on every write (XADD MAXLEN ~), so it never grows without bound.
 */
export class LogStore {
  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeys,
    readonly maxLines: number,
  ) {}

  key(app: string): string {
    return this.keys.appLogs(app);
  }

  /** Adds XADDs of `entries` to a pipeline or transaction (so callers can write their cursor in the same one). */
  addTo(tx: ChainableCommander, app: string, entries: LogEntry[]): ChainableCommander {
    const key = this.key(app);
    const max = String(this.maxLines);
    for (const e of entries) tx.xadd(key, 'MAXLEN', '~', max, '*', ...logEntryFields(e));
    return tx;
  }

  /**
   * Appends entries and, in the same atomic step, sets `cursor.field` of hash `cursor.key` (the
   * log collector's resume point).
   */
  async appendWithCursor(app: string, entries: LogEntry[], cursor?: { key: string; field: string; value: string }): Promise<void> {
    if (entries.length === 0 && !cursor) return;
    const args: string[] = [String(this.maxLines), cursor?.field ?? '', cursor?.value ?? ''];
    let countAt = -1;
    let count = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const prev = entries[i - 1];
      if (!prev || prev.source !== e.source || prev.process !== e.process) {
        if (countAt >= 0) args[countAt] = String(count);
        args.push(e.source, e.process, '');
        countAt = args.length - 1;
        count = 0;
      }
      count += 1;
      args.push(e.ts, e.line);
    }
    if (countAt >= 0) args[countAt] = String(count);
    const keys = [this.key(app), cursor?.key ?? this.key(app)];
    try {
      await this.redis.evalsha(appendSha, 2, ...keys, ...args);
    } catch (err) {
      if (!/NOSCRIPT/.test((err as Error).message)) throw err;
      await this.redis.eval(appendScript, 2, ...keys, ...args);
    }
  }

  async append(app: string, entries: LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    // One line (a platform event, say) is one XADD: a pipeline object costs far more than the command.
    if (entries.length === 1) {
      await this.redis.xadd(this.key(app), 'MAXLEN', '~', String(this.maxLines), '*', ...logEntryFields(entries[0]!));
      return;
    }
    const results = await this.addTo(this.redis.pipeline(), app, entries).exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /**
   * The newest `lines` entries matching `filter`, oldest first, and the id the tail continues after:
   * the newest entry of the stream when it was read, matching or not, so history and tail meet
   * without a gap or an overlap.
   */
  async history(app: string, lines: number, filter: LogFilter = {}): Promise<{ entries: StoredLogEntry[]; lastId: string }> {
    const key = this.key(app);
    const out: StoredLogEntry[] = [];
    let lastId: string | undefined;
    let end = '+';
    const page = Math.min(1000, Math.max(100, lines));
    for (;;) {
      const raw = (await this.redis.xrevrange(key, end, '-', 'COUNT', page)) as RawEntries;
      if (raw.length === 0) break;
      lastId ??= raw[0]![0];
      for (const [id, fields] of raw) {
        const e = parseLogEntry(id, fields);
        if (matchesLogFilter(e, filter)) out.push(e);
        if (out.length >= lines) break;
      }
      if (out.length >= lines || raw.length < page) break;
      end = `(${raw[raw.length - 1]![0]}`;
    }
    return { entries: out.reverse(), lastId: lastId ?? '0-0' };
  }

  /** Entries after `afterId` (exclusive), oldest first; `redis` may be a connection of its own that BLOCK holds. */
  async readAfter(app: string, afterId: string, count: number, blockMs?: number, redis: Redis = this.redis): Promise<StoredLogEntry[]> {
    const key = this.key(app);
    let raw: RawEntries;
    if (blockMs === undefined) raw = (await redis.xrange(key, `(${afterId}`, '+', 'COUNT', count)) as RawEntries;
    else {
      const res = (await redis.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', key, afterId)) as [string, RawEntries][] | null;
      raw = res?.[0]?.[1] ?? [];
    }
    return raw.map(([id, fields]) => parseLogEntry(id, fields));
  }

  async info(app: string): Promise<StreamInfo> {
    return (await this.infoAndNthNewest(app, 0)).info;
  }

  /**
   * The stream's info and the id of its `n`-th newest entry (undefined when it holds fewer), read
   * in one transaction so both describe the same moment.
   */
  async infoAndNthNewest(app: string, n: number): Promise<{ info: StreamInfo; nthId: string | undefined }> {
    const key = this.key(app);
    const results = (await this.redis.multi().xinfo('STREAM', key).xrevrange(key, '+', '-', 'COUNT', Math.max(1, n)).exec()) ?? [];
    const [[infoErr, rawInfo] = [null, null], [rangeErr, rawRange] = [null, []]] = results;
    if (infoErr && !/no such key/i.test(infoErr.message)) throw infoErr;
    if (rangeErr) throw rangeErr;
    const range = (rawRange ?? []) as RawEntries;
    const nthId = n > 0 && range.length === n ? range[n - 1]![0] : undefined;
    if (infoErr || !rawInfo) return { info: { entriesAdded: 0, length: 0, firstId: undefined, lastId: '0-0' }, nthId };
    const raw = rawInfo as unknown[];
    const map = new Map<string, unknown>();
    for (let i = 0; i + 1 < raw.length; i += 2) map.set(String(raw[i]), raw[i + 1]);
    const first = map.get('first-entry') as [string, string[]] | null | undefined;
    return {
      info: {
        entriesAdded: Number(map.get('entries-added') ?? map.get('length') ?? 0),
        length: Number(map.get('length') ?? 0),
        firstId: first?.[0] ?? undefined,
        lastId: String(map.get('last-generated-id') ?? '0-0'),
      },
      nthId,
    };
  }

  /** Moves an app's stream to its new name (`paas rename`): its lines and their ids stay. */
  async rename(from: string, to: string): Promise<void> {
    await this.redis.rename(this.key(from), this.key(to)).catch((err: unknown) => {
      if (!/no such key/i.test((err as Error).message)) throw err;
    });
  }

  async remove(app: string): Promise<void> {
    await this.redis.del(this.key(app));
  }
}
