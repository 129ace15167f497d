import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { makeTestCert, type TestCert } from '@paas/test-kit';

describe('domains commands', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
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
    assert.deepEqual(f.requests.at(-1), { method: 'POST', path: '/apps/shop/domains', authorization: `Bearer ${f.token}` });
    await f.cli(['domains:add', '*.shop.com', '-a', 'shop']);
  });

  it('domains lists custom domains with their DNS target, and --json the API list', async () => {
    const res = await f.cli(['domains', '-a', 'shop']);
    assert.equal(
      res.stdout,
      '=== shop Default Domain\nshop.localhost\n\n=== shop Custom Domains\nDomain Name   DNS Target\n*.shop.com    shop.localhost\nwww.shop.com  shop.localhost\n',
    );
    const json = JSON.parse((await f.cli(['domains', '-a', 'shop', '--json'])).stdout) as { hostname: string; kind: string }[];
    assert.deepEqual(json.map((d) => [d.hostname, d.kind]), [['shop.localhost', 'default'], ['*.shop.com', 'custom'], ['www.shop.com', 'custom']]);
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
    assert.equal(f.requests.at(-1)?.path, '/apps/shop/domains/*.shop.com');
  });
});

describe('certs commands', () => {
  let f: Fixture;
  let dir: string;
  let cert: TestCert;
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
    // the app's domains: a certificate is for names an app holds
    for (const name of ['www.shop.com', 'shop.com']) assert.equal((await f.cli(['domains:add', name, '-a', 'shop'])).code, 0);
    cert = await makeTestCert(['www.shop.com', 'shop.com'], { days: 31 });
    dir = await mkdtemp(join(tmpdir(), 'paas-cli-certs-'));
    await writeFile(join(dir, 'cert.pem'), cert.cert);
    await writeFile(join(dir, 'key.pem'), cert.key);
  });
  after(async () => {
    await f.close();
    await cert.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('certs says when there are none', async () => {
    assert.equal((await f.cli(['certs', '-a', 'shop'])).stdout, 'shop has no TLS certificates; add one with paas certs:add CERT.pem KEY.pem\n');
  });

  it('certs:add reads the two files (relative to the working directory) and shows the names and expiry', async () => {
    const res = await f.cli(['certs:add', 'cert.pem', 'key.pem', '-a', 'shop'], { cwd: dir });
    assert.equal(res.stderr, '');
    assert.match(res.stdout, /^Adding TLS certificate to shop\.\.\. done\nNames: {3}www\.shop\.com, shop\.com\nExpires: \d{4}-\d\d-\d\d \(in 3[01] days\)\nId: {6}[0-9a-f-]{36}\n$/);
    assert.deepEqual([f.requests.at(-1)?.method, f.requests.at(-1)?.path], ['POST', '/apps/shop/certs']);
  });

  it('certs:add refuses a missing file before calling the API, and relays the API’s refusal', async () => {
    const count = f.requests.length;
    const missing = await f.cli(['certs:add', 'nope.pem', 'key.pem', '-a', 'shop'], { cwd: dir });
    assert.deepEqual(missing, { code: 1, stdout: '', stderr: 'paas: cannot read nope.pem: no such file\n' });
    assert.equal(f.requests.length, count);
    const swapped = await f.cli(['certs:add', 'key.pem', 'cert.pem', '-a', 'shop'], { cwd: dir });
    assert.equal(swapped.code, 1);
    assert.match(swapped.stderr, /^paas: certificate_chain: no PEM certificate/);
  });

  it('certs lists id, names and expiry; --json the API list; certs:remove by a name it covers', async () => {
    const res = await f.cli(['certs', '-a', 'shop']);
    assert.match(
      res.stdout,
      /^=== shop Certificates\nId {36}Names {19}Expires\n[0-9a-f-]{36}  www\.shop\.com, shop\.com  \d{4}-\d\d-\d\d \(in 3[01] days\)\n$/,
    );
    assert.equal(JSON.parse((await f.cli(['certs', '-a', 'shop', '--json'])).stdout).length, 1);
    const removed = await f.cli(['certs:remove', 'www.shop.com', '-a', 'shop']);
    assert.deepEqual(removed, { code: 0, stdout: 'Removing TLS certificate www.shop.com from shop... done\n', stderr: '' });
    assert.equal((await f.cli(['certs', '-a', 'shop', '--json'])).stdout.trim(), '[]');
  });
});
