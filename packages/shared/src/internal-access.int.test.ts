import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisInternalAccess } from './internal-access.js';
import { RedisKeys } from './redis-keys.js';
import { testRedisUrl } from '@paas/test-kit';

const keys = new RedisKeys(`paas-test-internal-${randomBytes(4).toString('hex')}`);
const redis = new Redis(testRedisUrl());
after(async () => {
  const left = await redis.keys(`${keys.prefix}:*`);
  if (left.length) await redis.del(...left);
  redis.disconnect();
});

test('subnets per host are replaced whole per host, allowed sources per target; a removed app leaves both; each change is announced', async () => {
  const table = new RedisInternalAccess(redis, keys);
  let announced = 0;
  const stop = await table.watch(() => announced++);
  try {
    await table.setSubnet({ host: 'h1', subnet: '10.210.0.0/24', app: 'a' });
    await table.setSubnet({ host: 'h1', subnet: '10.210.0.0/24', app: 'a' }); // unchanged: not announced again
    await table.replaceHostSubnets('h2', [{ subnet: '10.210.0.0/24', app: 'b' }, { subnet: '10.210.1.0/24', app: 'a' }]);
    await table.setAllowed('a', ['b', 'c', 'b']);
    await table.setAllowed('b', ['a']);
    let read = await table.read();
    assert.deepEqual(
      read.subnets.map((s) => `${s.host} ${s.subnet} ${s.app}`).sort(),
      ['h1 10.210.0.0/24 a', 'h2 10.210.0.0/24 b', 'h2 10.210.1.0/24 a'],
      'the same subnet on two hosts is two apps',
    );
    assert.deepEqual(read.allowed, { a: ['b', 'c'], b: ['a'] });

    await table.replaceHostSubnets('h2', [{ subnet: '10.210.1.0/24', app: 'a' }]);
    await table.removeApp('a');
    read = await table.read();
    assert.deepEqual(read.subnets.map((s) => `${s.host} ${s.subnet} ${s.app}`), [], "h2's b went with the listing, a's networks with the app");
    assert.deepEqual(read.allowed, { b: ['a'] }, "who may reach a goes with a; b's rows are the controller's to republish");
    await table.replaceAllowed({ c: ['b'], d: [] });
    assert.deepEqual((await table.read()).allowed, { c: ['b'] });
    await redis.hset(keys.internalAllowed, 'broken', 'not json');
    assert.deepEqual((await table.read()).allowed, { c: ['b'] }, 'a value it did not write allows nothing');
    for (let i = 0; i < 100 && announced < 7; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(announced, 7);
  } finally {
    await stop();
  }
});
