// The real CLI (bin/paas) against a controller with add-ons on the real (shared) PostgreSQL and
// Redis: addons:create, addons, pg:psql, pg:info, redis:info, addons:destroy. The harness drops
// whatever a failed run leaves.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiHarness, type ApiHarness } from './test-harness.js';
import { deployedApp } from './test-fixtures.js';
import { serveUpgrades } from './attach-upgrade.js';
import { defaultPsqlImage } from '../deploy/one-off-service.js';

const paasBin = fileURLToPath(new URL('../../../../bin/paas', import.meta.url));

describe('paas addons:* and pg:* against a running controller', () => {
  let h: ApiHarness;
  let server: Server;
  let work: string;

  const paas = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(paasBin, args, { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', PAAS_HOME: work, HOME: work }, cwd: work }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });

  before(async () => {
    h = await createApiHarness({ addons: {} });
    server = await new Promise<Server>((resolve) => {
      const s = h.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    serveUpgrades(server, h.app); // pg:psql runs a one-off attached, as paas run does
    work = await mkdtemp(join(tmpdir(), 'paas-cli-addons-'));
    const alice = await h.user('alice@example.com');
    await deployedApp(h, 'shop', alice.user.id);
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await writeFile(join(work, 'cli.json'), JSON.stringify({ api_url: apiUrl, token: alice.token, email: 'alice@example.com' }), { mode: 0o600 });
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
    await rm(work, { recursive: true, force: true });
  });

  test('create, use through pg:psql, inspect and destroy a postgres add-on', async () => {
    const created = await paas(['addons:create', 'postgres', '-a', 'shop']);
    assert.equal(created.code, 0, created.stderr);
    const name = /(postgres-[0-9a-f]{16}) is ready: DATABASE_URL set on shop/.exec(created.stdout)?.[1];
    assert.ok(name, created.stdout);

    const listed = await paas(['addons', '-a', 'shop']);
    assert.match(listed.stdout, new RegExp(`${name}\\s+postgres:hobby\\s+DATABASE_URL\\s+shop`));

    // A one-off of the app (the in-memory runtime echoes its command): psql on its DATABASE_URL, in the
    // platform's psql image as the app's has none; the SQL quoted for the shell. test/e2e/postgres-addon.test.ts runs it for real.
    const sql = await paas(['pg:psql', '-a', 'shop', '-c', "SELECT 'it''s kept';"]);
    assert.equal(sql.code, 0, sql.stderr);
    assert.match(sql.stderr, new RegExp(`Running psql on ${name} on shop\\.\\.\\. up, run\\.\\d+`));
    const run = h.runtime.runs.at(-1)!;
    assert.equal(run.command, `psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -c 'SELECT '\\''it'\\'''\\''s kept'\\'';'`);
    assert.equal(run.image, defaultPsqlImage);
    assert.match(run.env['DATABASE_URL'] ?? '', /^postgres:\/\//, "the app's config, its credentials");
    assert.ok(!sql.stdout.includes('PGPASSWORD') && !run.command.includes('postgres://'), 'the credentials stay out of the command line');

    const info = await paas(['pg:info', '-a', 'shop']);
    assert.match(info.stdout, /Connections:\s+0\/10/);
    assert.match(info.stdout, /Data size:\s+\d/);

    const capture = await paas(['pg:backups:capture', '-a', 'shop']);
    assert.match(capture.stdout, /b001/);
    const download = await paas(['pg:backups:download', 'b001', '-a', 'shop', '-o', join(work, 'shop.dump')]);
    assert.equal(download.code, 0, download.stderr);

    const unconfirmed = await paas(['addons:destroy', name, '-a', 'shop']);
    assert.equal(unconfirmed.code, 1);
    assert.match(unconfirmed.stderr, /--confirm shop/);
    const destroyed = await paas(['addons:destroy', name, '-a', 'shop', '--confirm', 'shop']);
    assert.equal(destroyed.code, 0, destroyed.stderr);
    assert.match((await paas(['addons', '-a', 'shop'])).stdout, /shop has no add-ons/);
  });

  test('redis:info shows the key prefix; a missing add-on is a clear error', async () => {
    assert.equal((await paas(['addons:create', 'redis', '-a', 'shop', '--as', 'cache'])).code, 0);
    const info = await paas(['redis:info', '-a', 'shop']);
    assert.match(info.stdout, /Key prefix:\s+addon_[0-9a-f]{16}:/);
    const missing = await paas(['pg:psql', '-a', 'shop']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /shop has no postgres add-on/);
  });
});
