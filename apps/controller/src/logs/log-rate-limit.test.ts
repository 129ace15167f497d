import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry } from '@paas/shared';
import { LogRateLimit } from './log-rate-limit.js';

/** `n` lines of web.1 spread evenly over `seconds` from `start` (ms). */
function flood(n: number, start: number, seconds: number, process = 'web.1'): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: new Date(start + Math.floor((i * seconds * 1000) / n)).toISOString(),
    source: 'app' as const,
    process,
    line: `line ${i}`,
  }));
}

test('a process writing 20,000 lines a second keeps its rate, the rest is dropped with a notice a second', () => {
  const limit = new LogRateLimit({ linesPerSecond: 1000 });
  const start = Date.parse('2026-12-07T12:00:00Z');
  let kept: LogEntry[] = [];
  // Three seconds of flood, in batches as the engine's stream delivers them.
  const lines = flood(60_000, start, 3);
  for (let i = 0; i < lines.length; i += 500) kept = kept.concat(limit.admit('c1', lines.slice(i, i + 500)));
  const app = kept.filter((l) => l.source === 'app');
  const notices = kept.filter((l) => l.source === 'platform');
  assert.ok(app.length >= 3000 && app.length <= 4000, `${app.length} lines kept of 60,000 (burst 1,000 plus 1,000 a second)`);
  assert.ok(notices.length >= 2 && notices.length <= 3, `${notices.length} notices`);
  assert.match(notices[0]!.line, /^Error L10 \(output buffer overflow\): \d+ lines of web\.1 dropped \(over 1000 lines a second\)$/);
  const dropped = notices.reduce((n, l) => n + Number(/(\d+) lines/.exec(l.line)![1]), 0);
  // The drops of the last second are told with the next notice.
  assert.ok(dropped + app.length <= 60_000 && dropped > 35_000, `${dropped} reported dropped`);
});

test('a process under the rate loses nothing, and one process flooding does not limit another', () => {
  const limit = new LogRateLimit({ linesPerSecond: 1000 });
  const start = Date.parse('2026-12-07T12:00:00Z');
  assert.equal(limit.admit('flood', flood(20_000, start, 1)).filter((l) => l.source === 'app').length <= 2000, true);
  const quiet = flood(2000, start, 4, 'worker.1');
  assert.deepEqual(limit.admit('quiet', quiet), quiet);
});

test('a backlog read late is judged by its own timestamps; 0 means no limit', () => {
  const limit = new LogRateLimit({ linesPerSecond: 100 });
  const old = flood(1000, Date.parse('2026-12-07T10:00:00Z'), 20);
  assert.equal(limit.admit('c', old).length, 1000, '50 lines a second, read in one batch hours later');
  const none = new LogRateLimit({ linesPerSecond: 0 });
  const many = flood(10_000, Date.now(), 0.1);
  assert.equal(none.admit('c', many), many);
});
