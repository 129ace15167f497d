import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretBox } from './secret-box.js';
import { openBuildEnv } from './build-env.js';

const secret = 'a'.repeat(64);

test('a sealed value opens with the same secret, and differs each time', () => {
  const box = new SecretBox(secret);
  const key = '-----BEGIN PRIVATE KEY-----\nMIIE…\n-----END PRIVATE KEY-----\n';
  const a = box.seal(key);
  const b = box.seal(key);
  assert.notEqual(a, b, 'a fresh IV each time');
  assert.match(a, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.ok(!a.includes('PRIVATE'));
  assert.equal(box.open(a), key);
  assert.equal(new SecretBox(secret).open(b), key, 'another instance with the same secret');
});

test('the wrong secret, another purpose, a tampered or malformed value all fail', () => {
  const sealed = new SecretBox(secret).seal('hello');
  assert.throws(() => new SecretBox('b'.repeat(64)).open(sealed), /wrong secret/);
  assert.throws(() => new SecretBox(secret, 'build env').open(sealed), /wrong secret/);
  const [v, iv, tag, data] = sealed.split('.') as [string, string, string, string];
  const flipped = Buffer.from(data, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  assert.throws(() => new SecretBox(secret).open([v, iv, tag, flipped.toString('base64url')].join('.')), /altered/);
  for (const bad of ['', 'v2.a.b.c', 'v1.a.b', 'plain text']) assert.throws(() => new SecretBox(secret).open(bad), /sealed/, bad);
  assert.throws(() => new SecretBox('short'), /too short/);
});

test('bytes bound to their place (config vars): tampering, another place or another secret fail', () => {
  const cipher = new SecretBox('s'.repeat(32), 'config vars');
  const sealed = cipher.encrypt('postgres://u:p@db/x', 'config_var:app-1:DATABASE_URL');
  assert.equal(sealed.length, 1 + 12 + 16 + 'postgres://u:p@db/x'.length);
  assert.ok(!sealed.includes(Buffer.from('postgres')));
  assert.equal(cipher.decrypt(sealed, 'config_var:app-1:DATABASE_URL'), 'postgres://u:p@db/x');
  assert.notDeepEqual(cipher.encrypt('same', 'c'), cipher.encrypt('same', 'c'), 'a fresh IV each time');
  assert.throws(() => cipher.decrypt(sealed, 'config_var:app-2:DATABASE_URL'), /does not decrypt/);
  const tampered = Buffer.from(sealed);
  tampered[tampered.length - 1]! ^= 1;
  assert.throws(() => cipher.decrypt(tampered, 'config_var:app-1:DATABASE_URL'), /does not decrypt/);
  assert.throws(() => new SecretBox('t'.repeat(32), 'config vars').decrypt(sealed, 'config_var:app-1:DATABASE_URL'), /PAAS_SECRET/);
  assert.throws(() => cipher.decrypt(Buffer.from([9, 1, 2]), 'x'), /unknown format/);
  assert.deepEqual(cipher.decryptJson(cipher.encryptJson({ A: '1' }, 'r'), 'r'), { A: '1' });
});

test('values sealed by the two ciphers this one replaced (SecretBox, SecretBox) still open', () => {
  // Sealed with the code of commit 00e7b31 and this secret: TLS keys in the route store, build envs
  // in queued jobs, config vars and release snapshots in PostgreSQL must survive the upgrade.
  const old = 'a platform secret of the past, 32+';
  const appId = '3f1c2f5e-1b1d-4c1e-9d7a-7b2f2b8f0c11';
  const tls = "v1.nCn4NS5BusMc1Qhk.T_F26PUNY_6T5OtE_6grmA.D1iyev2TH_fgB65jZfzgNSQA1FyLL6Xa4ju63ecF0LvIN4K_xIFBpRdCWKQ_5b3Vz3cuQ_HUwXgX3jwPLZjJXSofvyMHnC6V4J9KTBOl7w";
  assert.equal(new SecretBox(old).open(tls), '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n');
  const env = "v1.91M_ZvGw1Ua-Vm6v.VH7WAPU6YQ4WjZJTBKAXvw.Wk6BhNZ_v-E_L117ot1rv98ji-Ww8OgUuM0Fn66QvDyomx0mj2Wt2vkwu3beXAP9iw";
  assert.deepEqual(openBuildEnv(new SecretBox(old, 'build env'), env), { DATABASE_URL: 'postgres://u:p@db/x', EMPTY: '' });
  const configVar = Buffer.from("AR7bWto5w1P6/uF9M3UucPql5RQ9hjw5IFjENevKMPjEMH2rRPTmLuRzQega", 'base64');
  assert.equal(new SecretBox(old, 'config vars').decrypt(configVar, `config_var:${appId}:API_KEY`), 's3cr3t value ✓');
  const release = Buffer.from("Aalfs1VzS6PSSwr6rLo7ROFIERdUewoShc5SHpF8C/x2GqJlZ1W3pPk4WBNsz6CN", 'base64');
  assert.deepEqual(new SecretBox(old, 'config vars').decryptJson(release, `release:${appId}:4`), { A: '1', B: 'two' });
  // Each purpose has its own key.
  assert.throws(() => new SecretBox(old, 'build env').open(tls), /does not decrypt/);
  assert.throws(() => new SecretBox(old).decrypt(configVar, `config_var:${appId}:API_KEY`), /does not decrypt/);
});

test('a shortened tag is refused as malformed', () => {
  const sealed = new SecretBox(secret).seal('hello');
  const [v, iv, tag, data] = sealed.split('.') as [string, string, string, string];
  const short = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
  assert.throws(() => new SecretBox(secret).open([v, iv, short, data].join('.')), /unknown format/);
});

test("the routers' certificate key opens what the controller sealed for them (values sealed before it too), and nothing sealed for another purpose", async () => {
  const { certKeyOf } = await import('./index.js');
  const key = certKeyOf(secret);
  assert.match(key, /^[0-9a-f]{64}$/);
  const routerBox = SecretBox.fromKey(key);
  // a certificate key sealed by the controller (as every stored one was) opens with the derived key alone
  const sealedCert = new SecretBox(secret).seal('-----BEGIN PRIVATE KEY-----');
  assert.equal(routerBox.open(sealedCert), '-----BEGIN PRIVATE KEY-----');
  // what the controller seals for other purposes does not
  assert.throws(() => routerBox.open(new SecretBox(secret, 'build env').seal('{"DATABASE_URL":"x"}')), /does not decrypt/);
  assert.throws(() => routerBox.decrypt(new SecretBox(secret, 'config vars').encrypt('x', 'c'), 'c'), /does not decrypt/);
  assert.notEqual(certKeyOf('b'.repeat(64)), key);
  for (const bad of ['', 'zz'.repeat(32), 'ab'.repeat(31), 'ab'.repeat(33)]) assert.throws(() => SecretBox.fromKey(bad), /64 hex digits/, bad);
});
