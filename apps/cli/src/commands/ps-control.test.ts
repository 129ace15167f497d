import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dyno } from '../api-client.js';
import { email, startFixture, type Fixture } from '../test-support/fixture.js';

const dyno = (name: string): Dyno => ({
  id: `id-${name}`,
  name,
  type: name.split('.')[0] ?? name,
  state: 'up',
  host: 'local',
  release: { version: 3 },
  command: 'npm start',
  updated_at: new Date().toISOString(),
});

describe('ps:restart and ps:stop', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    const app = f.api.addApp('shop', email);
    app.dynos = [dyno('web.1'), dyno('web.2'), dyno('worker.1'), dyno('run.4')];
  });
  after(() => f.close());

  it('ps:restart restarts all, a type or one process', async () => {
    assert.equal((await f.cli(['ps:restart', '-a', 'shop'])).stdout, 'Restarting all processes on shop... done\n');
    assert.deepEqual([f.api.requests.at(-1)?.method, f.api.requests.at(-1)?.path], ['DELETE', '/apps/shop/dynos']);
    assert.equal((await f.cli(['ps:restart', 'web', '-a', 'shop'])).stdout, 'Restarting web processes on shop... done\n');
    assert.equal(f.api.requests.at(-1)?.path, '/apps/shop/dynos/web');
    assert.equal((await f.cli(['ps:restart', 'web.2', '-a', 'shop'])).stdout, 'Restarting web.2 process on shop... done\n');
    assert.equal(f.api.requests.at(-1)?.path, '/apps/shop/dynos/web.2');
    const missing = await f.cli(['ps:restart', 'web.9', '-a', 'shop']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'paas: no process web.9 on shop\n');
  });

  it('ps:stop stops a process and says the platform starts formation processes again', async () => {
    const res = await f.cli(['ps:stop', 'worker.1', '-a', 'shop']);
    assert.equal(res.code, 0);
    assert.equal(res.stdout, 'Stopping worker.1 process on shop... done\n');
    assert.equal(res.stderr, 'worker is scaled to run: the platform starts its stopped processes again. To run fewer, use paas scale worker=N -a shop.\n');
    assert.deepEqual([f.api.requests.at(-1)?.method, f.api.requests.at(-1)?.path], ['POST', '/apps/shop/dynos/worker.1/actions/stop']);
    const oneOff = await f.cli(['ps:stop', 'run.4', '-a', 'shop']);
    assert.deepEqual(oneOff, { code: 0, stdout: 'Stopping run.4 process on shop... done\n', stderr: '' });
    const usage = await f.cli(['ps:stop', '-a', 'shop']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /missing required argument 'target'/);
  });
});
