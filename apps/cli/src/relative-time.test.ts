import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relativeTime } from './relative-time.js';

describe('relativeTime', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  it('says how long ago, in the largest whole unit', () => {
    assert.equal(relativeTime(ago(2_000), now), 'just now');
    assert.equal(relativeTime(ago(45_000), now), '45s ago');
    assert.equal(relativeTime(ago(2 * 60_000 + 30_000), now), '2m ago');
    assert.equal(relativeTime(ago(3 * 3_600_000), now), '3h ago');
    assert.equal(relativeTime(ago(5 * 86_400_000), now), '5d ago');
  });

  it('shows a date for old timestamps', () => {
    assert.equal(relativeTime('2023-01-15T00:00:00Z', now), '2023-01-15');
  });

  it('treats future timestamps (clock skew) as now, and passes through garbage', () => {
    assert.equal(relativeTime(new Date(now.getTime() + 60_000), now), 'just now');
    assert.equal(relativeTime('not a date', now), 'not a date');
  });
});
