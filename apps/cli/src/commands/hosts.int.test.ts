import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { insertHost } from '../../../controller/src/db/hosts.js';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { tempDir } from '../test-support/run-cli.js';
import { parseLabels } from './hosts.js';

describe('hosts', () => {
  let f: Fixture;
  let pems: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    f = await startFixture({ role: 'admin' });
    await insertHost(f.h.db.pool, { name: 'local', dockerUrl: 'unix:///var/run/docker.sock', address: '127.0.0.1', capacityMemoryMb: null, labels: {}, tls: null });
    await insertHost(f.h.db.pool, {
      name: 'node-2',
      dockerUrl: 'tcp://10.0.0.2:2376',
      address: '10.0.0.2',
      capacityMemoryMb: 2048,
      labels: { zone: 'a' },
      tls: { cert: 'c', key: 'k' },
    });
    await f.app('shop'); // scaled up: removing the last host needs --force
    pems = await tempDir('pems');
    for (const n of ['ca', 'cert', 'key']) await writeFile(join(pems.path, `${n}.pem`), `-----BEGIN ${n.toUpperCase()}-----\nabc\n-----END-----\n`);
    await writeFile(join(pems.path, 'not.pem'), 'hello');
  });
  after(async () => {
    await f.close();
    await pems.cleanup();
  });

  it('lists hosts as a table, or JSON', async () => {
    const res = await f.cli(['hosts']);
    assert.equal(res.stderr, '');
    assert.deepEqual(res.stdout.split('\n'), [
      'NAME    STATUS  ADDRESS    PROCESSES  CAPACITY',
      'local   up      127.0.0.1  0          unlimited',
      'node-2  up      10.0.0.2   0          2048 MB',
      '',
    ]);
    const json = JSON.parse((await f.cli(['hosts', '--json'])).stdout) as { name: string }[];
    assert.deepEqual(json.map((h) => h.name), ['local', 'node-2']);
  });

  it('hosts:add sends the engine, address, capacity and labels; the engine must answer', async () => {
    const res = await f.cli(['hosts:add', 'node-3', '--docker', 'unix:///var/run/docker.sock', '--address', '10.0.0.3', '--capacity-memory', '4096', '--labels', 'zone=b,disk=ssd']);
    assert.equal(res.stderr, '');
    assert.equal(res.stdout, 'Adding host node-3 (unix:///var/run/docker.sock)... done, up\n');
    const info = JSON.parse((await f.cli(['hosts:info', 'node-3', '--json'])).stdout) as Record<string, unknown>;
    assert.deepEqual([info['docker_url'], info['address'], info['capacity_memory_mb'], info['labels'], info['tls']], ['unix:///var/run/docker.sock', '10.0.0.3', 4096, { zone: 'b', disk: 'ssd' }, false]);
    // The PEM files read here go with the request: this engine speaks no TLS, so the check fails.
    const tls = await f.cli(['hosts:add', 'node-6', '--docker', 'unix:///var/run/docker.sock', '--address', '10.0.0.6', '--tls-ca', 'ca.pem', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem'], { cwd: pems.path });
    assert.equal(tls.code, 1);
    assert.match(tls.stderr, /^paas: docker_url: unix:\/\/\/var\/run\/docker\.sock does not answer as a Docker engine/);
  });

  it('hosts:add shows why the API refused an engine that does not answer, and bad options before sending', async () => {
    const refused = await f.cli(['hosts:add', 'node-4', '--docker', 'tcp://10.9.9.9:2376', '--address', '10.9.9.9', '--insecure']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, 'Adding host node-4 (tcp://10.9.9.9:2376)... !\n');
    assert.match(refused.stderr, /^paas: docker_url: tcp:\/\/10\.9\.9\.9:2376 does not answer as a Docker engine \(/);
    const sent = f.requests.length;
    const cases: [string[], RegExp][] = [
      [['--tls-cert', 'cert.pem'], /TLS needs both --tls-cert and --tls-key/],
      [['--tls-cert', 'missing.pem', '--tls-key', 'key.pem'], /--tls-cert: cannot read missing.pem \(ENOENT\)/],
      [['--tls-cert', 'not.pem', '--tls-key', 'key.pem'], /--tls-cert: not.pem is not a PEM file/],
      [['--capacity-memory', 'lots'], /--capacity-memory must be a whole number/],
      [['--labels', 'zone'], /--labels: 'zone' is not KEY=VALUE/],
    ];
    for (const [extra, message] of cases) {
      const res = await f.cli(['hosts:add', 'node-5', '--docker', 'unix:///x.sock', '--address', '1.2.3.4', ...extra], { cwd: pems.path });
      assert.equal(res.code, 1, extra.join(' '));
      assert.match(res.stderr, message);
    }
    const missing = await f.cli(['hosts:add', 'node-5', '--address', '1.2.3.4']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /required option '--docker <url>' not specified/);
    assert.equal(f.requests.length, sent, 'nothing was sent');
  });

  it('hosts:info shows settings and processes', async () => {
    const res = await f.cli(['hosts:info', 'local']);
    assert.match(res.stdout, /^=== local\nStatus: +up\nDocker: +unix:\/\/\/var\/run\/docker.sock\n/);
    assert.match(res.stdout, /Capacity: +unlimited\n/);

    const info = JSON.parse((await f.cli(['hosts:info', 'node-2', '--json'])).stdout) as { labels: Record<string, string> };
    assert.deepEqual(info.labels, { zone: 'a' });
    const missing = await f.cli(['hosts:info', 'nope']);
    assert.equal(missing.stderr, 'paas: no host named nope\n');
  });

  it('hosts:drain and hosts:remove, refused for the last host unless --force', async () => {
    assert.equal((await f.cli(['hosts:drain', 'node-2'])).stdout, 'Draining node-2... done, its processes run elsewhere\n');
    assert.equal((await f.cli(['hosts:remove', 'node-2'])).stdout, 'Removing host node-2... done\n');
    assert.equal((await f.cli(['hosts:remove', 'node-3'])).code, 0);
    const last = await f.cli(['hosts:remove', 'local']);
    assert.equal(last.code, 1);
    assert.equal(last.stderr, 'paas: local is the last host and apps are scaled up: scale them down first, or use --force\n');
    assert.equal((await f.cli(['hosts:remove', 'local', '--force'])).code, 0);
    assert.equal(f.requests.at(-1)?.method, 'DELETE');
    assert.equal((await f.cli(['hosts'])).stdout, 'No hosts: add one with paas hosts:add NAME --docker URL --address IP\n');
  });

  it('needs the admin role', async () => {
    const user = await f.otherUser('plain@example.com');
    for (const args of [['hosts'], ['hosts:info', 'node-3'], ['hosts:remove', 'node-3', '--force'], ['hosts:add', 'x1', '--docker', 'unix:///var/run/docker.sock', '--address', '1.2.3.4']]) {
      const res = await f.cli(args, { env: { PAAS_API_TOKEN: user.token } });
      assert.equal(res.code, 1, args.join(' '));
      assert.equal(res.stderr, 'paas: this needs the admin role\n', args.join(' '));
    }
  });
});

describe('parseLabels', () => {
  it('reads k=v pairs, values may hold =', () => {
    assert.deepEqual(parseLabels('a=1, b=x=y,'), { a: '1', b: 'x=y' });
  });
});
