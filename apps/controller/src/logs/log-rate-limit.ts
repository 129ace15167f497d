import type { LogEntry } from '@paas/shared';

export interface LogRateLimitOptions {
  /** Lines a second each process may write into its app's log (PAAS_LOG_RATE); 0: no limit. */
  linesPerSecond: number;
  /** Lines a process may write at once above the rate (default: one second's worth). */
  burst?: number;
}

interface Bucket {
  tokens: number;
  /** Time (ms, of the lines' own timestamps) the bucket was last filled. */
  at: number;
  dropped: number;
  /** Time of the last notice of dropped lines. */
  noticeAt: number;
}

/**
 * Keeps a process that floods its output (20,000 lines a second) from filling its app's log and
 * taking the collector's time from every other app: a token bucket per container, timed by the
 * lines' own timestamps (so a backlog read after a restart is judged as it was written). Lines over
 * the rate are dropped and counted; a `platform` notice in the app's log says how many, at most
 * once a second per process, like Heroku's L10.
 */
export class LogRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;

  constructor(private readonly o: LogRateLimitOptions) {
    this.burst = o.burst ?? o.linesPerSecond;
  }

  /** The lines of container `id` to store, with a notice of the lines dropped when one is due. */
  admit(id: string, lines: LogEntry[]): LogEntry[] {
    const rate = this.o.linesPerSecond;
    if (rate <= 0 || lines.length === 0) return lines;
    let b = this.buckets.get(id);
    const first = time(lines[0]!);
    if (!b) {
      b = { tokens: this.burst, at: first, dropped: 0, noticeAt: first };
      this.buckets.set(id, b);
    }
    const kept: LogEntry[] = [];
    let last = lines[0]!;
    for (const line of lines) {
      const t = time(line);
      if (t > b.at) {
        b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) * rate) / 1000);
        b.at = t;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        kept.push(line);
      } else b.dropped++;
      last = line;
    }
    const now = Math.max(time(last), b.at);
    if (b.dropped > 0 && now - b.noticeAt >= 1000) {
      kept.push({
        ts: last.ts,
        source: 'platform',
        process: last.process,
        line: `Error L10 (output buffer overflow): ${b.dropped} lines of ${last.process} dropped (over ${rate} lines a second)`,
      });
      b.dropped = 0;
      b.noticeAt = now;
    }
    return kept;
  }

  /** Forgets a container (it is gone). */
  forget(id: string): void {
    this.buckets.delete(id);
  }
}

function time(e: LogEntry): number {
  const t = Date.parse(e.ts);
  return Number.isNaN(t) ? Date.now() : t;
}
