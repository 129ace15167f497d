import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecretBox } from './secret-box.js';

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
  assert.throws(() => new SecretBox(secret, 'other purpose').open(sealed), /wrong secret/);
  const [v, iv, tag, data] = sealed.split('.') as [string, string, string, string];
  const flipped = Buffer.from(data, 'base64url');
  flipped[0] = flipped[0]! ^ 1;
  assert.throws(() => new SecretBox(secret).open([v, iv, tag, flipped.toString('base64url')].join('.')), /altered/);
  for (const bad of ['', 'v2.a.b.c', 'v1.a.b', 'plain text']) assert.throws(() => new SecretBox(secret).open(bad), /sealed/, bad);
  assert.throws(() => new SecretBox('short'), /too short/);
});
