import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CronSyntaxError, nextTick, parseCron, ticksBetween } from './cron-schedule.js';

const at = (iso: string) => new Date(`${iso}Z`);

test('five fields: lists, ranges, steps, names; macros', () => {
  const every5 = parseCron('*/5 * * * *');
  assert.deepEqual(ticksBetween(every5, at('2026-12-07T10:01:00'), at('2026-12-07T10:16:00')).map((d) => d.toISOString()), [
    '2026-12-07T10:05:00.000Z',
    '2026-12-07T10:10:00.000Z',
    '2026-12-07T10:15:00.000Z',
  ]);
  assert.equal(nextTick(parseCron('30 2 * * mon-fri'), at('2026-12-05T00:00:00'))?.toISOString(), '2026-12-07T02:30:00.000Z', 'Saturday: next Monday');
  assert.equal(nextTick(parseCron('0 0 1 jan,jul *'), at('2026-12-07T00:00:00'))?.toISOString(), '2027-01-01T00:00:00.000Z');
  assert.equal(nextTick(parseCron('@hourly'), at('2026-12-07T10:00:00'))?.toISOString(), '2026-12-07T11:00:00.000Z');
  assert.equal(nextTick(parseCron('@daily'), at('2026-12-07T10:00:00'))?.toISOString(), '2026-12-08T00:00:00.000Z');
  assert.equal(nextTick(parseCron('0 12 * * 7'), at('2026-12-07T00:00:00'))?.toISOString(), '2026-12-13T12:00:00.000Z', '7 is Sunday too');
  assert.equal(nextTick(parseCron('5/20 * * * *'), at('2026-12-07T10:06:00'))?.toISOString(), '2026-12-07T10:25:00.000Z');
  // Both day fields restricted: either matches (cron's rule).
  assert.equal(nextTick(parseCron('0 0 13 * fri'), at('2026-12-07T00:00:00'))?.toISOString(), '2026-12-11T00:00:00.000Z');
  assert.equal(nextTick(parseCron('0 0 31 2 *'), at('2026-12-07T00:00:00')), undefined, 'never');
});

test('bad schedules are refused saying why', () => {
  for (const [expr, why] of [
    ['* * * *', /five fields/],
    ['60 * * * *', /minute field "60": 60 is outside 0-59/],
    ['* * * * funday', /day of week field "funday": funday is not a number or a name/],
    ['*/0 * * * *', /step 0 is not a positive number/],
    ['5-1 * * * *', /backwards range/],
    ['@sometimes', /is not a schedule \(macros:/],
    ['1,,2 * * * *', /is not a field/],
  ] as const) {
    assert.throws(() => parseCron(expr), (err: Error) => err instanceof CronSyntaxError && why.test(err.message), expr);
  }
});
