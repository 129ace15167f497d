import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestScript, layersScript } from './slug-image.js';

test('the scripts run in the build container are valid bash', () => {
  for (const script of [layersScript, digestScript]) execFileSync('bash', ['-n', '-c', script]);
});

test('the layer fingerprint sees sizes, times and links but not directory times; the digest sees bytes, not times', () => {
  const root = mkdtempSync(join(tmpdir(), 'paas-layers-'));
  try {
    const dir = join(root, 'n', 'node');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'node'), 'x'.repeat(100));
    symlinkSync('node', join(dir, 'bin', 'nodejs'));
    // the listing part of layersScript, on a directory of our own
    const listing = layersScript.split('\n').find((l) => l.includes('fingerprint='))!.replace(/^\s*fingerprint=\$\(cd "[^"]+" && /, '').replace(/\)$/, '');
    const fingerprint = (): string => execFileSync('bash', ['-c', listing], { cwd: join(root, 'n') }).toString().trim();
    const digest = (): string => execFileSync('bash', ['-c', digestScript.replace('/tmp/paas-layers/$1', root + '/n'), 'digest']).toString().trim();
    const [f1, d1] = [fingerprint(), digest()];
    assert.match(f1, /^[0-9a-f]{64}$/);
    assert.match(d1, /^[0-9a-f]{64}$/);
    utimesSync(join(dir, 'bin'), new Date(0), new Date(0));
    assert.equal(fingerprint(), f1, 'a directory time is not in the fingerprint');
    utimesSync(join(dir, 'bin', 'node'), new Date(0), new Date(0));
    assert.notEqual(fingerprint(), f1, 'a file time is');
    assert.equal(digest(), d1, 'times are not in the digest');
    writeFileSync(join(dir, 'bin', 'node'), 'y'.repeat(100));
    assert.notEqual(digest(), d1, 'bytes are');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
