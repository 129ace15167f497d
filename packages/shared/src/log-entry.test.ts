import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLogLine, herokuTimestamp, logEntryFields, matchesLogFilter, parseLogEntry } from './log-entry.js';

test('timestamps print as Heroku does: microseconds, +00:00', () => {
  assert.equal(herokuTimestamp('2026-11-25T17:58:29.484095913Z'), '2026-11-25T17:58:29.484095+00:00');
  assert.equal(herokuTimestamp('2026-11-25T17:58:29.4Z'), '2026-11-25T17:58:29.400000+00:00');
  assert.equal(herokuTimestamp('2026-11-25T17:58:29Z'), '2026-11-25T17:58:29.000000+00:00');
  assert.equal(herokuTimestamp('2026-11-25T18:58:29.5+01:00'), '2026-11-25T17:58:29.500000+00:00');
});

test('lines show where they come from', () => {
  const ts = '2026-11-25T17:00:00.000Z';
  assert.equal(formatLogLine({ ts, source: 'app', process: 'web.1', line: 'hi' }), '2026-11-25T17:00:00.000000+00:00 app[web.1]: hi');
  assert.equal(formatLogLine({ ts, source: 'router', process: 'router', line: 'at=info' }), '2026-11-25T17:00:00.000000+00:00 router: at=info');
  assert.equal(formatLogLine({ ts, source: 'platform', process: 'api', line: 'Release v4' }), '2026-11-25T17:00:00.000000+00:00 platform: Release v4');
  assert.equal(formatLogLine({ ts, source: 'platform', process: 'web.1', line: 'crashed' }), '2026-11-25T17:00:00.000000+00:00 platform[web.1]: crashed');
});

test('entries round-trip through stream fields; the router leaves out process', () => {
  const e = { ts: '2026-11-25T17:00:00.000Z', source: 'app' as const, process: 'web.1', line: 'a=b c' };
  assert.deepEqual(parseLogEntry('1-0', logEntryFields(e)), { id: '1-0', ...e });
  const router = parseLogEntry('2-0', ['source', 'router', 'line', 'at=info', 'ts', e.ts]);
  assert.equal(router.process, 'router');
});

test('filters by source and by process or process type', () => {
  const web1 = { source: 'app' as const, process: 'web.1' };
  assert.ok(matchesLogFilter(web1, { process: 'web' }));
  assert.ok(matchesLogFilter(web1, { process: 'web.1', source: 'app' }));
  assert.ok(!matchesLogFilter(web1, { process: 'web.10' }));
  assert.ok(!matchesLogFilter(web1, { source: 'router' }));
  assert.ok(matchesLogFilter({ source: 'router', process: 'router' }, { process: 'router' }));
});
