import { test } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import { PasswordPool } from './password-pool.js';
import { hashPassword, verifyPassword } from './passwords.js';

test('passwords: a bcrypt hash made on a worker verifies, a wrong password does not, and stored bcryptjs hashes still verify', async () => {
  const hash = await hashPassword('correct horse');
  assert.match(hash, /^\$2[ab]\$10\$/);
  assert.equal(await verifyPassword('correct horse', hash), true);
  assert.equal(await verifyPassword('wrong horse', hash), false);
  const stored = bcrypt.hashSync('from before', 4);
  assert.equal(await verifyPassword('from before', stored), true);
  assert.equal(await verifyPassword('from before', 'not a hash'), false);
});

test('password pool: the event loop keeps turning while a hash is verified', async () => {
  const pool = new PasswordPool(1);
  try {
    const hash = await pool.hash('pw', 12);
    // On this thread, bcryptjs's async verify yields only between slices of ~100 ms of hashing (a
    // cost-12 verify: a handful of turns); on a worker the loop turns freely throughout (thousands).
    let turns = 0;
    let spinning = true;
    const spin = (): void => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const ok = await pool.verify('pw', hash);
    spinning = false;
    assert.equal(ok, true);
    assert.ok(turns > 100, `the event loop turned ${turns} times during the verify`);
  } finally {
    await pool.close();
  }
});

test('password pool: more tasks than workers all finish, and a closed pool refuses', async () => {
  const pool = new PasswordPool(2);
  const hashes = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((p) => pool.hash(p, 4)));
  const checks = await Promise.all(hashes.map((h, i) => pool.verify('abcde'[i]!, h)));
  assert.deepEqual(checks, [true, true, true, true, true]);
  await pool.close();
  await assert.rejects(pool.verify('a', hashes[0]!), /closed/);
});
