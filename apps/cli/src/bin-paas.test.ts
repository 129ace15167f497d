// bin/paas: finds the checkout through symlinks and runs apps/cli/dist/main.js, or says how to build it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot, tempDir } from './test-support/run-cli.js';

function runScript(path: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path, args, { env: { PATH: process.env['PATH'] ?? '' } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

describe('bin/paas', () => {
  it('says the CLI is not built when dist is missing', async () => {
    const dir = await tempDir('bin');
    try {
      const root = join(dir.path, 'checkout');
      await mkdir(join(root, 'bin'), { recursive: true });
      await copyFile(join(repoRoot, 'bin', 'paas'), join(root, 'bin', 'paas'));
      const res = await runScript(join(root, 'bin', 'paas'), ['apps']);
      assert.equal(res.code, 1);
      assert.equal(res.stdout, '');
      assert.equal(res.stderr, `paas: the CLI is not built; run npm run build (or npm run up) in ${root}\n`);
    } finally {
      await dir.cleanup();
    }
  });

  it('execs node on dist/main.js with the arguments, through chains of symlinks', async () => {
    const dir = await tempDir('bin');
    try {
      const root = join(dir.path, 'checkout');
      await mkdir(join(root, 'bin'), { recursive: true });
      await mkdir(join(root, 'apps', 'cli', 'dist'), { recursive: true });
      await copyFile(join(repoRoot, 'bin', 'paas'), join(root, 'bin', 'paas'));
      await writeFile(
        join(root, 'apps', 'cli', 'dist', 'main.js'),
        'console.log(JSON.stringify({ main: process.argv[1], args: process.argv.slice(2) }));\n',
      );
      await mkdir(join(dir.path, 'usr', 'bin'), { recursive: true });
      await symlink(join(root, 'bin', 'paas'), join(dir.path, 'usr', 'bin', 'paas-abs'));
      await symlink('paas-abs', join(dir.path, 'usr', 'bin', 'paas'));
      const expected = { main: join(root, 'apps', 'cli', 'dist', 'main.js'), args: ['config:set', 'A=a b', '-a', 'x'] };
      for (const path of [join(root, 'bin', 'paas'), join(dir.path, 'usr', 'bin', 'paas')]) {
        const res = await runScript(path, ['config:set', 'A=a b', '-a', 'x']);
        assert.equal(res.code, 0, res.stderr);
        assert.deepEqual(JSON.parse(res.stdout), expected, path);
      }
    } finally {
      await dir.cleanup();
    }
  });
});
