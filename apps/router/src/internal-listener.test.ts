import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRouteStore, type InternalAccessTable } from '@paas/shared';
import { InternalAccess, type InternalAccessSource } from './internal-access.js';
import { loadConfig } from './config.js';
import { RouterInstance } from './router-instance.js';
import { appRoute, backend, eventually, quietLogger } from './test-support.js';
import { json, request, startBackend } from './test-http.js';

/** A table the test changes, announcing each change as Redis would. */
class TestSource implements InternalAccessSource {
  private listeners: (() => void)[] = [];
  constructor(public table: InternalAccessTable) {}
  read(): Promise<InternalAccessTable> {
    return Promise.resolve(structuredClone(this.table));
  }
  watch(onChange: () => void): Promise<() => Promise<void>> {
    this.listeners.push(onChange);
    return Promise.resolve(async () => undefined);
  }
  change(table: InternalAccessTable): void {
    this.table = table;
    for (const l of this.listeners) l();
  }
}

async function startInternal(source: TestSource, store: MemoryRouteStore) {
  const access = new InternalAccess(source, { hostName: 'local', resyncMs: 60_000, logger: quietLogger() });
  const settings = { ...loadConfig({}), host: '127.0.0.1', port: 0, tlsPort: 0, domain: 'paas.test', resyncMs: 60_000 };
  const instance = new RouterInstance({ settings, store, logger: quietLogger(), retryMs: 50, internal: { access, port: 0, host: '127.0.0.1', domain: 'internal' } });
  const ports = await instance.start();
  return { instance, port: ports.internalPort!, publicPort: ports.port };
}

test('the internal listener proxies only sources the target allows, told by their address, and refuses the rest with a 403 and a line of text', async () => {
  const store = new MemoryRouteStore();
  const b = await startBackend('b');
  await store.set(appRoute('b', ['b.paas.test'], [backend(b.port)]));
  await store.set(appRoute('idle', ['idle.paas.test'], []));
  // this test's connections come from 127.0.0.1: that address is app a's network on this host
  const subnets = [
    { host: 'local', subnet: '127.0.0.0/24', app: 'a' },
    { host: 'other-host', subnet: '127.0.0.0/8', app: 'b' },
  ];
  const source = new TestSource({ subnets, allowed: {} });
  const { instance, port, publicPort } = await startInternal(source, store);
  try {
    const refused = await request(port, 'b.internal');
    assert.equal(refused.status, 403);
    assert.match(String(refused.headers['content-type']), /text\/plain/);
    assert.equal(refused.body, 'refused: app a may not reach b.internal (the owner of b can allow it: paas network:allow a -a b)\n');
    assert.equal(b.seen.length, 0, 'nothing reached the backend');

    source.change({ subnets, allowed: { b: ['a'] } });
    const allowed = await eventually(async () => {
      const r = await request(port, 'B.internal:80', { path: '/hello' });
      return r.status === 200 ? r : undefined;
    }, 'the allowed source reaches b');
    assert.ok(allowed);
    assert.equal(json(allowed).backend, 'b');
    assert.equal(json(allowed).url, '/hello');
    // a header claiming another source changes nothing: only the connection's address counts
    assert.equal((await request(port, 'idle.internal', { headers: { 'x-forwarded-for': '10.0.0.1' } })).status, 403);

    source.change({ subnets, allowed: { b: ['someone-else'], idle: ['a'] } });
    await eventually(async () => (await request(port, 'b.internal')).status === 403 || undefined, 'after the deny, refused again');
    assert.equal((await request(port, 'idle.internal')).status, 503);
    assert.equal((await request(port, 'nope.internal')).status, 403, 'a name that is no app: refused like any other not allowed');
    assert.equal((await request(port, 'b.paas.test')).status, 404, 'the public names are not served here');
    assert.equal((await request(port, 'x.b.internal')).status, 404);

    // an address of no app network on this host (b's subnet is another host's)
    source.change({ subnets: [{ host: 'other-host', subnet: '127.0.0.0/8', app: 'b' }], allowed: { b: ['a', 'b'] } });
    const stranger = await eventually(async () => {
      const r = await request(port, 'b.internal');
      return r.body.includes('not an app') ? r : undefined;
    }, 'an unknown source refused');
    assert.ok(stranger);
    assert.equal(stranger.status, 403);
    assert.equal(stranger.body, 'refused: 127.0.0.1 is not an app of this platform on this host\n');
    // the public listener does not serve internal names
    assert.equal((await request(publicPort, 'b.internal')).status, 404);
  } finally {
    await instance.stop(0);
    await b.close();
  }
});
