// The real CLI (bin/paas, from apps/cli/dist) against a real controller (the API harness on a random
// 127.0.0.1 port, real PostgreSQL): the access-control commands end to end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApiHarness, type ApiHarness } from './test-harness.js';

const paasBin = fileURLToPath(new URL('../../../../bin/paas', import.meta.url));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('bin/paas against a running controller', () => {
  let h: ApiHarness;
  let server: Server;
  let apiUrl: string;
  let work: string;
  const homes: Record<string, string> = {};

  /** Runs bin/paas as `who` (a PAAS_HOME of their own). */
  const paas = (who: string, args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      const child = execFile(
        paasBin,
        args,
        { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', PAAS_HOME: homes[who]!, HOME: work }, cwd: work },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });

  const home = async (who: string, config: object): Promise<void> => {
    homes[who] = await mkdtemp(join(work, `${who}-`));
    await writeFile(join(homes[who]!, 'cli.json'), JSON.stringify({ api_url: apiUrl, ...config }), { mode: 0o600 });
  };

  before(async () => {
    h = await createApiHarness();
    server = await new Promise<Server>((resolve) => {
      const s = h.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    work = await mkdtemp(join(tmpdir(), 'paas-cli-access-'));
    const admin = await h.user('root@example.com', 'admin');
    await home('admin', { token: admin.token, email: 'root@example.com' });
    await home('carol', {});
    await h.user('bob@example.com');
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
    await rm(work, { recursive: true, force: true });
  });

  test('admin:users:create, then the new user logs in', async () => {
    const created = await paas('admin', ['admin:users:create', 'carol@example.com', '--password', 'carols-password']);
    assert.equal(created.stderr, '');
    assert.equal(created.stdout, 'Creating user carol@example.com... done\n');
    assert.equal(created.code, 0);
    const again = await paas('admin', ['admin:users:create', 'carol@example.com', '--password', 'carols-password']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^paas: email: carol@example\.com has an account already\n$/);

    const users = JSON.parse((await paas('admin', ['admin:users', '--json'])).stdout) as { email: string; role: string }[];
    assert.deepEqual(users.map((u) => [u.email, u.role]), [
      ['bob@example.com', 'user'],
      ['carol@example.com', 'user'],
      ['root@example.com', 'admin'],
    ]);
    const table = await paas('admin', ['admin:users']);
    assert.match(table.stdout, /^=== Users\nbob@example\.com\s+user\s+active/);

    const login = await paas('carol', ['login', '--email', 'carol@example.com', '--password', 'carols-password']);
    assert.equal(login.stdout, 'Logged in as carol@example.com\n', login.stderr);
    const refused = await paas('carol', ['admin:users']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, 'paas: this needs the admin role\n');
  });

  test('admin:quota:set, and a refused apps:create prints the quota message with exit 1', async () => {
    const set = await paas('admin', ['admin:quota:set', 'carol@example.com', '--apps', '1', '--processes', '2', '--memory', '256', '--builds', '1']);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(
      set.stdout,
      [
        'Setting the quota of carol@example.com... done',
        '=== Quota of carol@example.com',
        'Apps:      0 of 1',
        'Processes: 0 of 2',
        'Memory:    256 MB per process',
        'Builds:    0 running, 1 at once',
        '',
      ].join('\n'),
    );
    const bad = await paas('admin', ['admin:quota:set', 'carol@example.com', '--apps', 'lots']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--apps must be a whole number/);

    assert.equal((await paas('carol', ['apps:create', 'carol-one'])).code, 0);
    const refused = await paas('carol', ['apps:create', 'carol-two']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, 'Creating carol-two... !\n');
    assert.match(refused.stderr, /^paas: cannot create another app: carol@example\.com has 1 app, the quota of 1 app \(an admin can raise it with paas admin:quota:set\)\n$/);
    assert.ok(!refused.stderr.includes('    at '), 'no stack trace');

    const quota = JSON.parse((await paas('admin', ['admin:quota', 'carol@example.com', '--json'])).stdout);
    assert.deepEqual(quota.usage, { apps: 1, processes: 0, builds: 0 });
    const reset = await paas('admin', ['admin:quota:set', 'carol@example.com', '--apps', 'default']);
    assert.match(reset.stdout, /Apps: +1 of \d+ \(default\)/);
  });

  test('access, access:add and access:remove', async () => {
    const add = await paas('carol', ['access:add', 'bob@example.com', '-a', 'carol-one']);
    assert.equal(add.stdout, 'Adding bob@example.com access to carol-one... done\n', add.stderr);
    const list = await paas('carol', ['access', '-a', 'carol-one']);
    assert.equal(list.stdout, '=== carol-one Access\ncarol@example.com  owner\nbob@example.com    collaborator\n');
    const json = JSON.parse((await paas('carol', ['access', '-a', 'carol-one', '--json'])).stdout) as { role: string }[];
    assert.deepEqual(json.map((c) => c.role), ['owner', 'collaborator']);
    const unknown = await paas('carol', ['access:add', 'nobody@example.com', '-a', 'carol-one']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /paas: there is no user nobody@example\.com/);
    const remove = await paas('carol', ['access:remove', 'bob@example.com', '-a', 'carol-one']);
    assert.equal(remove.stdout, 'Removing bob@example.com access to carol-one... done\n', remove.stderr);
    assert.equal((await paas('carol', ['access', '-a', 'carol-one'])).stdout, '=== carol-one Access\ncarol@example.com  owner\n');
    const other = await paas('carol', ['access', '-a', 'no-such-app']);
    assert.equal(other.code, 1);
    assert.equal(other.stderr, "paas: Couldn't find that app: no-such-app\n");
  });

  test('authorizations:create, authorizations and authorizations:revoke', async () => {
    const created = await paas('carol', ['authorizations:create', '--description', 'ci']);
    assert.equal(created.code, 0, created.stderr);
    const token = /Token: +(paas_\S+)/.exec(created.stdout)?.[1];
    assert.ok(token, created.stdout);
    const id = /ID: +(\S+)/.exec(created.stdout)?.[1]!;
    await home('ci', { token });
    assert.equal((await paas('ci', ['whoami'])).stdout, 'carol@example.com\n');
    const list = await paas('carol', ['authorizations']);
    assert.match(list.stdout, new RegExp(`^=== Authorizations\\n${id}  ci  created (just now|\\d+s ago)  used (just now|\\d+s ago)\\n$`));
    assert.ok(!list.stdout.includes(token));
    const revoke = await paas('carol', ['authorizations:revoke', id]);
    assert.equal(revoke.stdout, `Revoking API token ${id}... done\n`);
    const after = await paas('ci', ['whoami']);
    assert.equal(after.code, 1);
    assert.equal(after.stderr, 'paas: invalid or revoked API token\n');
  });

  test('admin:users:disable and admin:audit', async () => {
    const disabled = await paas('admin', ['admin:users:disable', 'carol@example.com']);
    assert.equal(disabled.stdout, 'Disabling carol@example.com... done: their tokens are revoked\n', disabled.stderr);
    const locked = await paas('carol', ['apps']);
    assert.equal(locked.code, 1);
    assert.equal(locked.stderr, 'paas: this account is disabled\n');

    const audit = await paas('admin', ['admin:audit', '--user', 'carol@example.com', '-n', '100']);
    assert.equal(audit.code, 0, audit.stderr);
    const actions = audit.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/)[2]);
    assert.deepEqual(actions, [
      'user.disable',
      'authorization.revoke',
      'authorization.create',
      'collaborator.remove',
      'collaborator.add',
      'quota.update',
      'app.create',
      'quota.update',
      'session.create',
      'user.create',
    ]);
    const json = JSON.parse((await paas('admin', ['admin:audit', '--json', '--action', 'app.create'])).stdout) as { app: string; ip: string }[];
    assert.deepEqual(json.map((e) => e.app), ['carol-one']);
    assert.equal(json[0]!.ip, '127.0.0.1');
  });

  test('logout revokes the session on the server: the token fails on the next request', async () => {
    await h.user('dora@example.com');
    await home('dora', {});
    const login = await paas('dora', ['login', '--email', 'dora@example.com', '--password', 'secret-pw']);
    assert.equal(login.code, 0, login.stderr);
    const { token } = JSON.parse(await readFile(join(homes['dora']!, 'cli.json'), 'utf8')) as { token: string };
    assert.equal((await fetch(`${apiUrl}/account`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const out = await paas('dora', ['logout']);
    assert.deepEqual(out, { code: 0, stdout: 'Logging out... done\n', stderr: '' });
    const after = await fetch(`${apiUrl}/account`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(after.status, 401, 'the logged-out token is revoked');
    assert.match(((await after.json()) as { message: string }).message, /session revoked/);
  });
});
