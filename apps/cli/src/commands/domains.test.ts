import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { email, startFixture, type Fixture } from '../test-support/fixture.js';

describe('domains commands', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    f.api.addApp('shop', email);
  });
  after(() => f.close());

  it('domains shows the default domain and says when there are no custom ones', async () => {
    const res = await f.cli(['domains', '-a', 'shop']);
    assert.deepEqual(res, {
      code: 0,
      stdout: '=== shop Default Domain\nshop.localhost\n\nshop has no custom domains; add one with paas domains:add HOSTNAME\n',
      stderr: '',
    });
  });

  it('domains:add POSTs the hostname and says where DNS should point', async () => {
    const res = await f.cli(['domains:add', 'www.shop.com', '-a', 'shop']);
    assert.equal(res.stderr, '');
    assert.equal(res.stdout, "Adding www.shop.com to shop... done\nPoint www.shop.com's DNS at shop.localhost (a CNAME record), or at the router's address.\n");
    assert.deepEqual(f.api.requests.at(-1), { method: 'POST', path: '/apps/shop/domains', authorization: f.api.requests.at(-1)?.authorization, body: { hostname: 'www.shop.com' } });
    await f.cli(['domains:add', '*.shop.com', '-a', 'shop']);
  });

  it('domains lists custom domains with their DNS target, and --json the API list', async () => {
    const res = await f.cli(['domains', '-a', 'shop']);
    assert.equal(
      res.stdout,
      '=== shop Default Domain\nshop.localhost\n\n=== shop Custom Domains\nDomain Name   DNS Target\nwww.shop.com  shop.localhost\n*.shop.com    shop.localhost\n',
    );
    const json = JSON.parse((await f.cli(['domains', '-a', 'shop', '--json'])).stdout) as { hostname: string; kind: string }[];
    assert.deepEqual(json.map((d) => [d.hostname, d.kind]), [['shop.localhost', 'default'], ['www.shop.com', 'custom'], ['*.shop.com', 'custom']]);
  });

  it('refusals from the API reach stderr with a non-zero exit', async () => {
    const taken = await f.cli(['domains:add', 'www.shop.com', '-a', 'shop']);
    assert.equal(taken.code, 1);
    assert.equal(taken.stdout, 'Adding www.shop.com to shop... !\n');
    assert.equal(taken.stderr, 'paas: www.shop.com is already a domain of an app\n');
    const gone = await f.cli(['domains:remove', 'nope.shop.com', '-a', 'shop']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, 'paas: shop has no domain nope.shop.com\n');
  });

  it('domains:remove DELETEs the hostname', async () => {
    const res = await f.cli(['domains:remove', '*.shop.com', '-a', 'shop']);
    assert.deepEqual(res, { code: 0, stdout: 'Removing *.shop.com from shop... done\n', stderr: '' });
    assert.equal(f.api.requests.at(-1)?.path, '/apps/shop/domains/*.shop.com');
  });
});

describe('certs commands', () => {
  let f: Fixture;
  let dir: string;
  const now = new Date('2026-12-01T00:00:00Z');
  before(async () => {
    f = await startFixture();
    f.api.addApp('shop', email);
    dir = await mkdtemp(join(tmpdir(), 'paas-cli-certs-'));
    await writeFile(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nnames=www.shop.com,shop.com\n-----END CERTIFICATE-----\n');
    await writeFile(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n');
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('certs says when there are none', async () => {
    assert.equal((await f.cli(['certs', '-a', 'shop'])).stdout, 'shop has no TLS certificates; add one with paas certs:add CERT.pem KEY.pem\n');
  });

  it('certs:add reads the two files (relative to the working directory) and shows the names and expiry', async () => {
    const res = await f.cli(['certs:add', 'cert.pem', 'key.pem', '-a', 'shop'], { cwd: dir, now });
    assert.equal(res.stderr, '');
    assert.equal(
      res.stdout,
      'Adding TLS certificate to shop... done\nNames:   www.shop.com, shop.com\nExpires: 2027-01-01 (in 31 days)\nId:      00000000-0000-4000-8000-000000000001\n',
    );
    const body = f.api.requests.at(-1)?.body as { certificate_chain: string; private_key: string };
    assert.match(body.certificate_chain, /BEGIN CERTIFICATE/);
    assert.match(body.private_key, /BEGIN PRIVATE KEY/);
  });

  it('certs:add refuses a missing file before calling the API, and relays the API’s refusal', async () => {
    const count = f.api.requests.length;
    const missing = await f.cli(['certs:add', 'nope.pem', 'key.pem', '-a', 'shop'], { cwd: dir });
    assert.deepEqual(missing, { code: 1, stdout: '', stderr: 'paas: cannot read nope.pem: no such file\n' });
    assert.equal(f.api.requests.length, count);
    const swapped = await f.cli(['certs:add', 'key.pem', 'cert.pem', '-a', 'shop'], { cwd: dir });
    assert.equal(swapped.code, 1);
    assert.match(swapped.stderr, /^paas: certificate_chain: no PEM certificate/);
  });

  it('certs lists id, names and expiry; --json the API list; certs:remove by a name it covers', async () => {
    const res = await f.cli(['certs', '-a', 'shop'], { now });
    assert.equal(
      res.stdout,
      '=== shop Certificates\nId                                    Names                   Expires\n00000000-0000-4000-8000-000000000001  www.shop.com, shop.com  2027-01-01 (in 31 days)\n',
    );
    assert.equal(JSON.parse((await f.cli(['certs', '-a', 'shop', '--json'])).stdout).length, 1);
    const removed = await f.cli(['certs:remove', 'www.shop.com', '-a', 'shop']);
    assert.deepEqual(removed, { code: 0, stdout: 'Removing TLS certificate www.shop.com from shop... done\n', stderr: '' });
    assert.equal((await f.cli(['certs', '-a', 'shop', '--json'])).stdout.trim(), '[]');
  });
});
