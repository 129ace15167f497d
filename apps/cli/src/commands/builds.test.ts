import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { duration, formatBuilds } from './builds.js';

const build = { image: null, error: null, process_types: null, buildpack: null, stack: 'trixie', source_blob: null, release: null };

describe('formatBuilds', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  const at = (secondsAgo: number): string => new Date(now.getTime() - secondsAgo * 1000).toISOString();

  it('one line a build: id, status, commit, buildpack, duration, age', () => {
    const builds = [
      { ...build, id: 'b2', status: 'building' as const, commit: '3f2c1a0aaaa', created_at: at(20), finished_at: null, buildpack: null },
      { ...build, id: 'b1', status: 'succeeded' as const, commit: '1111111bbbb', created_at: at(3600), finished_at: at(3600 - 125), buildpack: 'nodejs' },
    ];
    assert.deepEqual(formatBuilds(builds, now), ['b2  building   3f2c1a0          20s so far  20s ago', 'b1  succeeded  1111111  nodejs  2m05s       1h ago']);
  });

  it('durations under a minute are in seconds', () => {
    assert.equal(duration({ ...build, id: 'x', status: 'failed', commit: 'c', created_at: at(9), finished_at: at(0) }, now), '9s');
  });
});
