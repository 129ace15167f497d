/**
 * A postgres add-on used by the apps themselves, end to end (issue 18): a pushed app's release phase
 * migrates a table in its add-on and its web process answers with a row of it through the router, so
 * the app's network, the host firewall's allowance for the add-on server and the add-on's credentials
 * line up; `paas pg:psql` runs psql in a one-off of the app, with -c and interactively, in the app's
 * image when it has psql and in paas/pg-client otherwise.
 *
 * The add-on server is a private PostgreSQL with password authentication listening on the Docker
 * bridge's address too (the shared one listens on loopback only, out of the containers' reach).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { gitPush, gitRepo, paasBin, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';

describe('apps and their postgres add-on', { timeout: 900_000 }, () => {
  let p: Platform;
  let pg: PrivatePostgres;
  let work: string;
  const suffix = randomBytes(3).toString('hex');
  const app = `pgapp-${suffix}`;
  const plain = `plain-${suffix}`;
  let dir: string;
  let plainDir: string;
  let addon = '';

  before(async () => {
    const bridge = await new Docker().getNetwork('bridge').inspect();
    const ipam = (bridge as { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } }).IPAM?.Config?.[0];
    // the engine names it, or it is the subnet's first address (docker0's)
    const first = /^(\d+\.\d+\.\d+)\.(\d+)\/\d+$/.exec(ipam?.Subnet ?? '');
    const gateway = ipam?.Gateway ?? (first ? `${first[1]}.${Number(first[2]) + 1}` : undefined);
    assert.ok(gateway, 'the Docker bridge has a gateway address');
    pg = await startPrivatePostgres({ listen: ['127.0.0.1', gateway], password: randomBytes(12).toString('hex') });
    p = await startPlatform({ env: { PAAS_ADDON_POSTGRES_URL: pg.url, PAAS_ADDON_HOST: `${gateway}:${pg.port}` } });
    work = await mkdtemp(join(tmpdir(), 'paas-e2e-pg-'));
    dir = join(work, 'app');
    plainDir = join(work, 'plain');
    await cp(join(repoRoot, 'test/fixtures/postgres-app'), dir, { recursive: true });
    await cp(join(repoRoot, 'test/fixtures/rename-app'), plainDir, { recursive: true });
    await gitRepo(dir);
    await gitRepo(plainDir);
  });
  after(async () => {
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await pg?.remove();
    await rm(work, { recursive: true, force: true });
  });

  /** bin/paas with stdin from `input` (not a terminal). */
  const paasWithInput = (args: string[], input: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(paasBin, args, { cwd, env: { ...p.env, GIT_TERMINAL_PROMPT: '0' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(input);
    });

  test('the release phase migrates the add-on; the web process serves a row of it through the router', async () => {
    assert.equal((await p.paas(['create', app], { cwd: dir })).code, 0);
    const created = await p.paas(['addons:create', 'postgres'], { cwd: dir });
    assert.equal(created.code, 0, created.stderr);
    addon = /(postgres-[0-9a-f]+) is ready: DATABASE_URL set/.exec(created.stdout)?.[1] ?? '';
    assert.ok(addon, created.stdout);
    const config = JSON.parse((await p.paas(['config', '--json'], { cwd: dir })).stdout) as Record<string, string>;
    assert.ok(config['DATABASE_URL']?.includes(`@${p.env['PAAS_ADDON_HOST']}/`), `the app reaches the server at PAAS_ADDON_HOST: ${config['DATABASE_URL']}`);

    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, `${pushed.output}\n${await p.logs()}`);
    assert.match(pushed.output, /remote: -----> Release phase: running psql/);
    assert.match(pushed.output, /remote:\s+INSERT 0 1/);
    const note = await p.get(app, '/cgi-bin/note');
    assert.equal(note.status, 200, note.body);
    assert.equal(note.body.trim(), 'migrated by the release phase');
  });

  test('pg:psql -c runs in a one-off of the app; interactive psql reads its stdin', async () => {
    const insert = await p.paas(['pg:psql', '-c', "INSERT INTO notes (body) VALUES ('from pg:psql'); SELECT count(*) AS notes FROM notes;"], { cwd: dir });
    assert.equal(insert.code, 0, `${insert.stderr}\n${await p.logs()}`);
    assert.match(insert.stderr, new RegExp(`Running psql on ${addon} on ${app}\\.\\.\\. up, run\\.\\d+`));
    assert.match(insert.stdout, /INSERT 0 1/);
    assert.match(insert.stdout, /notes\s*\n-+\s*\n\s*2\s*\n/);

    const session = await paasWithInput(['pg:psql', '-a', app], "SELECT body FROM notes WHERE body LIKE 'from%';\n\\q\n", dir);
    assert.equal(session.code, 0, session.stderr);
    assert.match(session.stdout, /from pg:psql/);

    const failing = await p.paas(['pg:psql', '-c', 'SELECT * FROM no_such_table'], { cwd: dir });
    assert.notEqual(failing.code, 0);
    assert.match(failing.stdout + failing.stderr, /relation "no_such_table" does not exist/);
  });

  test("an app whose image has no psql: pg:psql runs in the platform's psql image, with the app's credentials", async () => {
    assert.equal((await p.paas(['create', plain], { cwd: plainDir })).code, 0);
    const pushed = await gitPush(p, plainDir);
    assert.equal(pushed.code, 0, pushed.output);
    const attached = await p.paas(['addons:attach', addon, '-a', plain]);
    assert.equal(attached.code, 0, attached.stderr);
    const noPsql = await p.paas(['run', '-a', plain, '--', 'command -v psql']);
    assert.notEqual(noPsql.code, 0, 'the app image has no psql');
    const read = await p.paas(['pg:psql', '-a', plain, '-c', 'SELECT body FROM notes ORDER BY id']);
    assert.equal(read.code, 0, `${read.stderr}\n${await p.logs()}`);
    assert.match(read.stdout, /migrated by the release phase\s*\n\s*from pg:psql/);
  });
});
