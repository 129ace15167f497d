import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { assertChecksFit, checksWorstCaseSeconds, parseAppJson, readAppJsonFromTar, startupChecks } from './app-json.js';
import { defaultChecks, strategyOf } from './health-checks.js';

test('parses health checks with defaults and refuses bad ones', () => {
  const a = parseAppJson('{"name":"x","healthchecks":{"web":[{"type":"startup","path":"/health","content":"ok"}]}}');
  assert.deepEqual(startupChecks(a, 'web'), [
    { type: 'startup', path: '/health', content: 'ok', scheme: 'http', warn: false, attempts: 3, timeout: 5, wait: 5, initialDelay: 0 },
  ]);
  assert.deepEqual(startupChecks(a, 'worker'), []);
  assert.throws(() => parseAppJson('{'), /app\.json is not valid JSON/);
  assert.throws(() => parseAppJson('{"healthchecks":{"web":[{"path":"health"}]}}'), /healthchecks\.web\.0\.path: must start with \//);
});

test("Dokku's semantics: one strategy per check, startup gates (liveness and readiness do not run), port-less types cannot use path checks", () => {
  const a = parseAppJson(
    JSON.stringify({
      healthchecks: {
        web: [
          { type: 'startup', path: '/up', httpHeaders: [{ name: 'Host', value: 'shop.example.com' }] },
          { type: 'liveness', path: '/live' },
          { type: 'readiness', path: '/ready' },
          { type: '', listening: true, warn: true },
          { uptime: 10, description: 'unknown keys are ignored' },
        ],
      },
    }),
  );
  const web = startupChecks(a, 'web');
  assert.deepEqual(web.map(strategyOf), ['path', 'listening', 'uptime']);
  assert.equal(web[1]?.warn, true);
  const refused = (json: unknown, pattern: RegExp) => assert.throws(() => parseAppJson(JSON.stringify(json)), pattern);
  refused({ healthchecks: { web: [{ command: ['/app/check.sh'] }] } }, /healthchecks\.web\.0\.command: command checks need an exec into the container/);
  refused({ healthchecks: { web: [{ path: '/', uptime: 3 }] } }, /give one of path, listening or uptime per check/);
  refused({ healthchecks: { worker: [{ path: '/' }] } }, /healthchecks\.worker\.0: path checks need the process's port: only web processes have one here/);
  refused({ healthchecks: { web: [{ type: 'warmup' }] } }, /healthchecks\.web\.0\.type/);
  refused({ healthchecks: { web: [{ path: '/', httpHeaders: [{ name: 'X', value: 'a\r\nb' }] }] } }, /has a line break/);
  assert.deepEqual(parseAppJson('{"healthchecks":{"worker":[{"type":"liveness","path":"/"}]}}').healthchecks?.['worker']?.length, 1, 'a liveness check is not run, so not refused');
  assert.deepEqual(defaultChecks(0), []);
  assert.deepEqual(defaultChecks(10).map((c) => [strategyOf(c), c.uptime, c.name]), [['uptime', 10, 'default']]);
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

test('checks are capped with a clear refusal, and must fit the boot deadline', () => {
  const refused = (json: string, pattern: RegExp) =>
    assert.throws(() => parseAppJson(json), (err: Error & { code?: string }) => err.code === 'invalid_params' && pattern.test(err.message));
  refused('{"healthchecks":{"web":[{"attempts":100}]}}', /^app\.json: healthchecks\.web\.0\.attempts: at most 20 \(the platform's cap\)$/);
  refused('{"healthchecks":{"web":[{"timeout":240}]}}', /healthchecks\.web\.0\.timeout: at most 60 s \(the platform's cap\)/);
  refused('{"healthchecks":{"web":[{"wait":61}]}}', /healthchecks\.web\.0\.wait: at most 60 s/);
  refused('{"healthchecks":{"web":[{"initialDelay":600}]}}', /healthchecks\.web\.0\.initialDelay: at most 300 s/);
  refused(`{"healthchecks":{"web":${JSON.stringify(Array.from({ length: 11 }, () => ({})))}}}`, /healthchecks\.web: at most 10 .* checks per process type/);

  const a = parseAppJson('{"healthchecks":{"web":[{"path":"/","attempts":20,"timeout":60,"wait":60,"initialDelay":300}],"worker":[{"uptime":12}]}}');
  const web = startupChecks(a, 'web');
  assert.equal(checksWorstCaseSeconds(web), 300 + 20 * 60 + 19 * 60);
  assert.equal(checksWorstCaseSeconds(startupChecks(a, 'worker')), 12, 'an uptime check takes its uptime');
  assert.equal(checksWorstCaseSeconds(startupChecks(parseAppJson('{"healthchecks":{"web":[{"path":"/"}]}}'), 'web')), 3 * 5 + 2 * 5);
  assert.throws(
    () => assertChecksFit(a, 300),
    (err: Error & { code?: string }) =>
      err.code === 'invalid_params' &&
      err.message === 'app.json: healthchecks.web: the checks can take up to 2640 s (initial delays, uptimes, attempts × timeout, waits); a process must boot within 300 s (PAAS_MAX_BOOT_SECONDS)',
  );
  assertChecksFit(a, 3000);
  assertChecksFit(parseAppJson('{"healthchecks":{"web":[{}]}}'), 60);
  assertChecksFit(undefined, 1);
});
