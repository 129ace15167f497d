import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliConfigFile } from './cli-config-file.js';
import { CliError } from './cli-error.js';
import { tempDir } from './test-support/run-cli.js';

describe('CliConfigFile', () => {
  it('reads {} when the file does not exist', async () => {
    const dir = await tempDir('cfg');
    try {
      assert.deepEqual(await new CliConfigFile(join(dir.path, 'nested')).read(), {});
    } finally {
      await dir.cleanup();
    }
  });

  it('writes $PAAS_HOME/cli.json with mode 0600, creating PAAS_HOME, and reads it back', async () => {
    const dir = await tempDir('cfg');
    try {
      const home = join(dir.path, 'home');
      const file = new CliConfigFile(home);
      await file.write({ api_url: 'http://127.0.0.1:5050', token: 'secret', email: 'a@b.c' });
      assert.equal(file.path, join(home, 'cli.json'));
      assert.equal((await stat(file.path)).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(await readFile(file.path, 'utf8')), {
        api_url: 'http://127.0.0.1:5050',
        token: 'secret',
        email: 'a@b.c',
      });
      assert.deepEqual(await file.update((c) => ({ ...c, email: 'x@y.z' })), {
        api_url: 'http://127.0.0.1:5050',
        token: 'secret',
        email: 'x@y.z',
      });
    } finally {
      await dir.cleanup();
    }
  });

  it('tightens the mode of an existing, too-open file when rewriting it', async () => {
    const dir = await tempDir('cfg');
    try {
      const file = new CliConfigFile(dir.path);
      await writeFile(file.path, '{}', { mode: 0o644 });
      await file.write({ token: 't' });
      assert.equal((await stat(file.path)).mode & 0o777, 0o600);
    } finally {
      await dir.cleanup();
    }
  });

  it('reports a corrupt file with its path', async () => {
    const dir = await tempDir('cfg');
    try {
      const file = new CliConfigFile(dir.path);
      await writeFile(file.path, '{not json');
      await assert.rejects(file.read(), (err: Error) => err instanceof CliError && err.message.includes(file.path));
      await writeFile(file.path, '{"token": 42}');
      await assert.rejects(file.read(), /malformed/);
    } finally {
      await dir.cleanup();
    }
  });
});
