import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { parseAppJson, readAppJsonFromTar, startupChecks } from './app-json.js';

test('parses health checks with defaults and refuses bad ones', () => {
  const a = parseAppJson('{"name":"x","healthchecks":{"web":[{"type":"startup","path":"/health","content":"ok"}]}}');
  assert.deepEqual(startupChecks(a, 'web'), [
    { type: 'startup', path: '/health', content: 'ok', attempts: 5, timeout: 5, wait: 2, initialDelay: 0 },
  ]);
  assert.deepEqual(startupChecks(a, 'worker'), []);
  assert.throws(() => parseAppJson('{'), /app\.json is not valid JSON/);
  assert.throws(() => parseAppJson('{"healthchecks":{"web":[{"path":"health"}]}}'), /healthchecks\.web\.0\.path: must start with \//);
});

test('finds app.json at the root of a git archive tar', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'paas-appjson-'));
  try {
    const pack = tar.pack();
    pack.entry({ name: 'index.js' }, 'console.log(1)');
    pack.entry({ name: 'sub/app.json' }, '{"healthchecks":{}}');
    pack.entry({ name: 'app.json' }, '{"healthchecks":{"web":[{"path":"/up"}]}}');
    pack.finalize();
    const path = join(dir, 'src.tar');
    await pipeline(pack, createWriteStream(path));
    assert.equal(startupChecks(await readAppJsonFromTar(path), 'web')[0]?.path, '/up');
    const none = tar.pack();
    none.entry({ name: 'index.js' }, 'x');
    none.finalize();
    await pipeline(none, createWriteStream(join(dir, 'none.tar')));
    assert.equal(await readAppJsonFromTar(join(dir, 'none.tar')), undefined);
    await writeFile(join(dir, 'bad.tar'), 'not a tar at all, really not');
    await assert.rejects(readAppJsonFromTar(join(dir, 'bad.tar')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
