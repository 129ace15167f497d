import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { appFromRemoteUrl, resolveApp } from './app-inference.js';
import { CliError } from './cli-error.js';
import { tempDir } from './test-support/run-cli.js';

describe('appFromRemoteUrl', () => {
  it('takes the app from <api>/<app>.git', () => {
    assert.equal(appFromRemoteUrl('http://127.0.0.1:5050/shop.git'), 'shop');
    assert.equal(appFromRemoteUrl('https://paas.example.com/api/my-app.git/'), 'my-app');
    assert.equal(appFromRemoteUrl('http://user@127.0.0.1:5050/shop.git'), 'shop');
  });

  it('returns undefined for other shapes', () => {
    assert.equal(appFromRemoteUrl('http://127.0.0.1:5050/shop'), undefined);
    assert.equal(appFromRemoteUrl('git@github.com:me/shop.git'), undefined);
    assert.equal(appFromRemoteUrl('http://127.0.0.1:5050/.git'), undefined);
    assert.equal(appFromRemoteUrl(''), undefined);
  });
});

describe('resolveApp', () => {
  it('prefers -a', async () => {
    assert.equal(await resolveApp('given', '/'), 'given');
  });

  it("reads the app from the repo's paas remote, even from a subdirectory", async () => {
    const dir = await tempDir('infer');
    try {
      execFileSync('git', ['init', '-q', dir.path]);
      execFileSync('git', ['remote', 'add', 'paas', 'http://127.0.0.1:5050/shop.git'], { cwd: dir.path });
      execFileSync('git', ['remote', 'add', 'origin', 'http://127.0.0.1:5050/other.git'], { cwd: dir.path });
      const sub = join(dir.path, 'src', 'lib');
      await mkdir(sub, { recursive: true });
      assert.equal(await resolveApp(undefined, sub), 'shop');
    } finally {
      await dir.cleanup();
    }
  });

  it('explains what to do when there is no app to infer', async () => {
    const dir = await tempDir('infer');
    try {
      const message = 'no app specified; use -a APP, -r REMOTE, PAAS_APP or run paas git:remote -a APP';
      await assert.rejects(resolveApp(undefined, dir.path), (err: Error) => err instanceof CliError && err.message === message);
      execFileSync('git', ['init', '-q', dir.path]);
      await assert.rejects(resolveApp(undefined, dir.path), { message });
      execFileSync('git', ['remote', 'add', 'paas', 'git@github.com:me/shop.git'], { cwd: dir.path });
      await assert.rejects(resolveApp(undefined, dir.path), { message });
    } finally {
      await dir.cleanup();
    }
  });
});
