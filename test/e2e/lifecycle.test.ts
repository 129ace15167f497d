/**
 * The app lifecycle end to end (issue 18) with the real CLI, git, builder, Docker, PostgreSQL, Redis
 * and router: the release phase runs before the new web process starts and a failing one keeps the
 * previous release serving (push, config:set); maintenance mode answers 503 and back; Heroku's
 * short forms do what their namesakes do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

/** The stamps (the host's uptime in centiseconds, /proc/uptime) in `release phase at N` and `web started at N`. */
const stamp = (text: string, what: string): bigint => {
  const m = new RegExp(`${what} at (\\d+)`).exec(text);
  assert.ok(m, `no "${what} at" in:\n${text}`);
  return BigInt(m[1]!);
};

describe('the app lifecycle', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  const app = `life-${randomBytes(3).toString('hex')}`;
  let dir: string;

  before(async () => {
    p = await startPlatform();
    work = await mkdtemp(join(tmpdir(), 'paas-e2e-life-'));
    dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/release-phase'), dir, { recursive: true });
    await gitRepo(dir);
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('create adds the remote; the release phase runs before the web process, its output streams and is kept', async () => {
    const created = await p.paas(['create', app], { cwd: dir });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /set git remote paas to /);

    const first = await gitPush(p, dir);
    assert.equal(first.code, 0, `${first.output}\n${await p.logs()}`);
    assert.match(first.output, /remote: -----> Release phase: running echo "release phase at/);
    assert.match(first.output, /remote:        release phase at \d+\s/);
    assert.match(first.output, /remote:        to stderr/);
    assert.match(first.output, /remote:\s+Released v1/);
    const served = await p.get(app);
    assert.equal(served.status, 200);
    assert.ok(stamp(first.output, 'release phase') < stamp(served.body, 'web started'), 'the release phase ran before the web process started');

    const out = await p.paas(['releases:output', 'v1'], { cwd: dir });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^-----> Release phase: running /);
    assert.match(out.stdout, /^release phase at \d+$/m);
    assert.match(out.stdout, /^to stderr$/m);
    assert.match(out.stdout, /Release phase done\n$/);
    const ps = await p.paas(['ps', '--json'], { cwd: dir });
    assert.deepEqual((JSON.parse(ps.stdout) as { name: string }[]).map((d) => d.name), ['web.1'], 'release is never a running process');
    const scaled = await p.paas(['scale', 'release=1'], { cwd: dir });
    assert.notEqual(scaled.code, 0);
    assert.match(scaled.stderr, /never scaled/);
  });

  test('a failing release phase refuses the push and the config:set; the previous release keeps serving', async () => {
    const before = (await p.get(app)).body;
    await writeFile(join(dir, 'Procfile'), (await readFile(join(dir, 'Procfile'), 'utf8')).replace('exit ${RELEASE_EXIT:-0}', 'exit 7'));
    await commitAll(dir, 'release phase fails');
    const broken = await gitPush(p, dir);
    assert.notEqual(broken.code, 0);
    assert.match(broken.output, /release phase .* exited with status 7/);
    assert.match(broken.output, /pre-receive hook declined/);
    assert.equal((await p.get(app)).body, before, 'v1 still serves, not restarted');

    const set = await p.paas(['config:set', 'RELEASE_EXIT=3', 'MESSAGE=v3'], { cwd: dir });
    assert.notEqual(set.code, 0);
    assert.match(set.stderr, /exited with status 3/);
    const config = await p.paas(['config', '--json'], { cwd: dir });
    assert.deepEqual(JSON.parse(config.stdout), {}, 'the refused change is put back');
    assert.equal((await p.get(app)).body, before);
    const releases = await p.paas(['releases'], { cwd: dir });
    assert.match(releases.stdout, /v3\s+Set RELEASE_EXIT, MESSAGE config vars.*failed/);
    assert.match(releases.stdout, /v2\s+Deploy [0-9a-f]{7}.*failed/);

    const ok = await p.paas(['config:set', 'MESSAGE=v4'], { cwd: dir });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match((await p.get(app)).body, /v4/);
  });

  test('maintenance:on answers 503 with a page, maintenance:off serves again; info shows it', async () => {
    const on = await p.paas(['maintenance:on'], { cwd: dir });
    assert.equal(on.code, 0, on.stderr);
    const down = await p.get(app);
    assert.equal(down.status, 503);
    assert.match(down.body, /Under maintenance/);
    assert.match((await p.paas(['info'], { cwd: dir })).stdout, /Maintenance: on/);
    assert.equal((await p.paas(['maintenance'], { cwd: dir })).stdout, 'on\n');
    const off = await p.paas(['maintenance:off'], { cwd: dir });
    assert.equal(off.code, 0, off.stderr);
    const up = await p.get(app);
    assert.equal(up.status, 200);
    assert.match(up.body, /web started at/);
  });

  test("restart, releases:rollback and destroy do what Heroku's namesakes do", async () => {
    const startedBefore = stamp((await p.get(app)).body, 'web started');
    const restart = await p.paas(['restart'], { cwd: dir });
    assert.equal(restart.code, 0, restart.stderr);
    assert.ok(stamp((await p.get(app)).body, 'web started') > startedBefore, 'a new web process serves');
    const rollback = await p.paas(['releases:rollback', 'v1'], { cwd: dir });
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match((await p.get(app)).body, /web started at \d+ v1/);
    const destroyed = await p.paas(['destroy', app, '--confirm', app]);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.equal((await p.get(app)).status, 404);
  });
});
