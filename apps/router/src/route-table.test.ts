import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppRoute } from '@paas/shared';
import { RouteTable } from './route-table.js';

const route = (app: string, domains: string[], version = 1): AppRoute => ({
  app,
  domains,
  backends: [{ process: 'web.1', container: `c-${app}`, host: '127.0.0.1', port: 5000 }],
  release: 1,
  version,
});

test('exact domains match case-insensitively; unknown hosts match nothing', () => {
  const t = new RouteTable();
  t.set(route('hello', ['Hello.localhost', 'www.hello.test.']));
  assert.equal(t.lookup('hello.localhost')?.app, 'hello');
  assert.equal(t.lookup('www.hello.test')?.app, 'hello');
  assert.equal(t.lookup('other.localhost'), undefined);
  assert.equal(t.lookup('localhost'), undefined);
  assert.equal(t.size, 1);
});

test('a wildcard serves one or more labels under its domain, not the domain itself', () => {
  const t = new RouteTable();
  t.set(route('shop', ['*.example.com']));
  assert.equal(t.lookup('a.example.com')?.app, 'shop');
  assert.equal(t.lookup('a.b.example.com')?.app, 'shop');
  assert.equal(t.lookup('example.com'), undefined);
  assert.equal(t.lookup('badexample.com'), undefined);
  assert.equal(t.lookup('a.example.org'), undefined);
});

test('exact beats wildcard, and the longest wildcard wins', () => {
  const t = new RouteTable();
  t.set(route('wide', ['*.example.com']));
  t.set(route('narrow', ['*.eu.example.com']));
  t.set(route('api', ['api.eu.example.com']));
  assert.equal(t.lookup('api.eu.example.com')?.app, 'api');
  assert.equal(t.lookup('shop.eu.example.com')?.app, 'narrow');
  assert.equal(t.lookup('x.shop.eu.example.com')?.app, 'narrow');
  assert.equal(t.lookup('us.example.com')?.app, 'wide');
});

test('replacing a route drops its old domains; deleting drops all of them', () => {
  const t = new RouteTable();
  t.set(route('hello', ['hello.localhost', 'old.test']));
  t.set(route('hello', ['hello.localhost', 'new.test'], 2));
  assert.equal(t.lookup('old.test'), undefined);
  assert.equal(t.lookup('new.test')?.version, 2);
  assert.equal(t.delete('hello'), true);
  assert.equal(t.delete('hello'), false);
  assert.equal(t.lookup('hello.localhost'), undefined);
  assert.equal(t.size, 0);
});

test('a shared domain goes to the first app by name, whatever the order, and falls back on delete', () => {
  for (const order of [['bbb', 'aaa'], ['aaa', 'bbb']]) {
    const t = new RouteTable();
    const conflicts = order.map((app) => t.set(route(app, ['shared.test', `${app}.localhost`])));
    assert.deepEqual(conflicts[1], [{ domain: 'shared.test', apps: ['aaa', 'bbb'] }]);
    assert.equal(t.lookup('shared.test')?.app, 'aaa');
    t.delete('aaa');
    assert.equal(t.lookup('shared.test')?.app, 'bbb');
  }
});

test('malformed domains are ignored', () => {
  const t = new RouteTable();
  t.set(route('odd', ['', '*', '*.', 'a.*.b', 'x:80', 'ok.test']));
  assert.equal(t.lookup('ok.test')?.app, 'odd');
  assert.equal(t.lookup('a.x.b'), undefined);
  assert.equal(t.lookup(''), undefined);
});
