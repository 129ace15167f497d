import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startFixture, type Fixture } from '../test-support/fixture.js';


describe('ps:restart and ps:stop', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
    await f.release('shop', { description: 'Deploy 1111111', processTypes: { web: 'npm start', worker: 'node worker.js' } });
    assert.equal((await f.cli(['scale', 'web=2', 'worker=1', '-a', 'shop'])).code, 0);
    // a one-off in the background: run.1
    assert.equal((await f.cli(['run:detached', '-a', 'shop', '--', 'sleep', '60'])).code, 0);
  });
  after(() => f.close());

  it('ps:restart restarts all, a type or one process', async () => {
    assert.equal((await f.cli(['ps:restart', '-a', 'shop'])).stdout, 'Restarting all processes on shop... done\n');
    assert.deepEqual([f.requests.at(-1)?.method, f.requests.at(-1)?.path], ['DELETE', '/apps/shop/dynos']);
    assert.equal((await f.cli(['ps:restart', 'web', '-a', 'shop'])).stdout, 'Restarting web processes on shop... done\n');
    assert.equal(f.requests.at(-1)?.path, '/apps/shop/dynos/web');
    assert.equal((await f.cli(['ps:restart', 'web.2', '-a', 'shop'])).stdout, 'Restarting web.2 process on shop... done\n');
    assert.equal(f.requests.at(-1)?.path, '/apps/shop/dynos/web.2');
    const missing = await f.cli(['ps:restart', 'web.9', '-a', 'shop']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'paas: no process web.9 on shop (its processes: web.1, web.2, worker.1)\n');
  });

  it('ps:stop stops a process and says the platform starts formation processes again', async () => {
    const res = await f.cli(['ps:stop', 'worker.1', '-a', 'shop']);
    assert.equal(res.code, 0);
    assert.equal(res.stdout, 'Stopping worker.1 process on shop... done\n');
    assert.equal(res.stderr, 'worker is scaled to run: the platform starts its stopped processes again. To run fewer, use paas scale worker=N -a shop.\n');
    assert.deepEqual([f.requests.at(-1)?.method, f.requests.at(-1)?.path], ['POST', '/apps/shop/dynos/worker.1/actions/stop']);
    const oneOff = await f.cli(['ps:stop', 'run.1', '-a', 'shop']);
    assert.deepEqual(oneOff, { code: 0, stdout: 'Stopping run.1 process on shop... done\n', stderr: '' });
    assert.equal(await f.h.runtime.listOneOffs({ app: 'shop' }).then((l) => l.length), 0, 'the one-off is gone');
    const usage = await f.cli(['ps:stop', '-a', 'shop']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /missing required argument 'target'/);
  });
});
