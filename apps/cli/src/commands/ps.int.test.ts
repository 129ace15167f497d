import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dyno } from '../api-client.js';
import { email, startFixture, type Fixture } from '../test-support/fixture.js';
import { formatProcesses } from './ps.js';

const now = new Date('2024-05-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
const dyno = (name: string, state: Dyno['state'], host: string, version: number, updated: string, command: string): Dyno => ({
  id: `id-${name}`,
  name,
  type: name.split('.')[0] ?? name,
  state,
  host,
  release: { version },
  command,
  updated_at: updated,
});

describe('formatProcesses', () => {
  it('groups by type (web first), numbers in order, columns aligned across groups', () => {
    const lines = formatProcesses(
      [
        dyno('worker.1', 'crashed', 'docker-2', 3, minutesAgo(1), 'node worker.js'),
        dyno('web.10', 'up', 'docker-1', 3, minutesAgo(2), 'npm start'),
        dyno('web.2', 'starting', 'docker-10', 4, minutesAgo(0), 'npm start'),
      ],
      now,
    );
    assert.deepEqual(lines, [
      '=== web (2): npm start',
      'web.2     starting  docker-10  v4  just now',
      'web.10    up        docker-1   v3  2m ago',
      '',
      '=== worker (1): node worker.js',
      'worker.1  crashed   docker-2   v3  1m ago',
    ]);
  });

  it('names the volumes that keep a process on its host', () => {
    const lines = formatProcesses([{ ...dyno('web.1', 'up', 'docker-1', 2, minutesAgo(1), 'npm start'), volumes: ['data:/data', 'cache:/cache'] }], now);
    assert.equal(lines[1], 'web.1  up  docker-1 (volume data, cache)  v2  1m ago');
  });

  it('says when nothing runs', () => {
    assert.deepEqual(formatProcesses([], now), ['No processes running']);
  });
});

describe('ps and scale', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    await f.app('shop', { deployed: false });
  });
  after(() => f.close());

  it('ps prints one line per process, and --json the API list', async () => {
    assert.equal((await f.cli(['ps', '-a', 'shop'])).stdout, 'No processes running\n');
    await f.release('shop', { description: 'Deploy 1111111', processTypes: { web: 'npm start', worker: 'node worker.js' } });
    const res = await f.cli(['ps', '-a', 'shop']);
    assert.deepEqual(res, { code: 0, stdout: '=== web (1): npm start\nweb.1  up  memory  v1  just now\n', stderr: '' });
    const json = JSON.parse((await f.cli(['ps', '-a', 'shop', '--json'])).stdout) as Dyno[];
    assert.deepEqual(json.map((d) => [d.name, d.state, d.release.version, d.command]), [['web.1', 'up', 1, 'npm start']]);
  });

  it('scale PATCHes the formation and reports what now runs', async () => {
    const res = await f.cli(['scale', 'web=2', 'worker=1', '-a', 'shop']);
    assert.equal(res.stderr, '');
    assert.equal(res.stdout, 'Scaling processes... done, now running web at 2, worker at 1\n');
    const running = JSON.parse((await f.cli(['ps', '-a', 'shop', '--json'])).stdout) as Dyno[];
    assert.deepEqual(running.map((d) => d.name).sort(), ['web.1', 'web.2', 'worker.1'], 'the runtime runs the new formation');
  });

  it('ps:scale is an alias; no arguments shows the formation', async () => {
    const res = await f.cli(['ps:scale', 'worker=0', '-a', 'shop']);
    assert.equal(res.stdout, 'Scaling processes... done, now running worker at 0\n');
    assert.equal((await f.cli(['scale', '-a', 'shop'])).stdout, 'web=2 worker=0\n');
  });

  it('scale refuses malformed arguments, and reports API refusals', async () => {
    const bad = await f.cli(['scale', 'web=-1', '-a', 'shop']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^paas: invalid quantity '-1' in 'web=-1'/);
    const unknown = await f.cli(['scale', 'clock=1', '-a', 'shop']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stdout, 'Scaling processes... !\n');
    assert.equal(unknown.stderr, 'paas: no clock process type in v1 (its types: web, worker)\n');
  });
});
