import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { incomplete, other, parseRequestHead, type HeadResult, type RequestHead } from './request-head-parser.js';

const max = 16384;
const parse = (s: string, start = 0): HeadResult => parseRequestHead(Buffer.from(s, 'latin1'), start, max);

function plain(r: HeadResult): RequestHead {
  assert.ok(typeof r === 'object', `expected a plain head, got ${String(r)}`);
  return r;
}

test('a plain GET is read: method, target, fields as sent (values trimmed), keep-alive, its length', () => {
  const s = 'GET /a?b=1 HTTP/1.1\r\nHost: app.example\r\nX-Thing:  two words \r\nAccept: */*\r\n\r\n';
  const h = plain(parse(s));
  assert.equal(h.method, 'GET');
  assert.equal(h.url, '/a?b=1');
  assert.deepEqual(h.headers, ['Host', 'app.example', 'X-Thing', 'two words', 'Accept', '*/*']);
  assert.equal(h.keepAlive, true);
  assert.equal(h.length, s.length);
});

test('pipelined heads are read one after the other from their offset; Connection: close ends keep-alive', () => {
  const a = 'HEAD / HTTP/1.1\r\nHost: a\r\n\r\n';
  const b = 'DELETE /x HTTP/1.1\r\nhost: a\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n';
  const first = plain(parse(a + b));
  assert.equal(first.length, a.length);
  const second = plain(parse(a + b, first.length));
  assert.equal(second.method, 'DELETE');
  assert.equal(second.keepAlive, false);
  assert.equal(second.length, b.length);
});

test('a head still coming is incomplete', () => {
  assert.equal(parse(''), incomplete);
  assert.equal(parse('GET / HTTP/1.1\r\nHost: a\r\n'), incomplete);
  assert.equal(parse('GET / HTTP/1.1\r\nHost: a\r\n\r'), incomplete);
});

test('anything but a plain bodyless HTTP/1.1 head is left to node (smuggling, folding, odd bytes, size)', () => {
  const h = (line: string, fields: string): string => `${line}\r\nHost: a\r\n${fields}\r\n`;
  const cases = [
    h('GET / HTTP/1.1', 'Content-Length: 5\r\n'),
    h('GET / HTTP/1.1', 'Content-Length: 0\r\nContent-Length: 0\r\n'),
    h('GET / HTTP/1.1', 'Content-Length: 0\r\nTransfer-Encoding: chunked\r\n'),
    h('GET / HTTP/1.1', 'Transfer-Encoding: chunked\r\n'),
    h('GET / HTTP/1.1', 'transfer-encoding: identity\r\n'),
    h('GET / HTTP/1.1', 'Content-Length: +0\r\n'),
    h('GET / HTTP/1.1', 'X-A: b\r\n folded\r\n'),
    h('GET / HTTP/1.1', 'X-A : b\r\n'),
    h('GET / HTTP/1.1', 'X A: b\r\n'),
    h('GET / HTTP/1.1', ': b\r\n'),
    h('GET / HTTP/1.1', 'X-A: b\rc\r\n'),
    h('GET / HTTP/1.1', 'X-A: b\nc\r\n'),
    h('GET / HTTP/1.1', 'X-A: caf\xe9\r\n'),
    h('GET / HTTP/1.1', 'X-A: \x00\r\n'),
    h('GET / HTTP/1.1', 'Host: b\r\n'),
    h('GET / HTTP/1.1', 'Upgrade: websocket\r\nConnection: Upgrade\r\n'),
    h('GET / HTTP/1.1', 'Connection: keep-alive, Upgrade\r\n'),
    h('GET / HTTP/1.1', 'Expect: 100-continue\r\n'),
    h('GET / HTTP/1.0', ''),
    h('GET / HTTP/2.0', ''),
    h('CONNECT a:443 HTTP/1.1', ''),
    h('BREW / HTTP/1.1', ''),
    h('get / HTTP/1.1', ''),
    h('GET http://a/ HTTP/1.1', ''),
    h('GET  / HTTP/1.1', ''),
    h('GET / HTTP/1.1 ', ''),
    'GET / HTTP/1.1\r\nX-A: b\r\n\r\n',
    '\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n',
    'GET / HTTP/1.1\nHost: a\n\n',
    h('GET / HTTP/1.1', `X-Big: ${'x'.repeat(max / 2)}\r\n`),
    `GET / HTTP/1.1\r\nX-Big: ${'x'.repeat(max / 2)}`,
  ];
  for (const c of cases) assert.equal(parse(c), other, JSON.stringify(c.slice(0, 80)));
});

const tokenChar = fc.constantFrom(...'!#$%&\'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ');
const name = fc.string({ unit: tokenChar, minLength: 1, maxLength: 20 }).filter((n) => !['host', 'content-length', 'transfer-encoding', 'expect', 'upgrade', 'connection'].includes(n.toLowerCase()));
const valueChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const value = fc.string({ unit: valueChar, maxLength: 40 }).map((v) => v.trim());
const target = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 30 }).map((t) => `/${t}`);
const plainHead = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
  url: target,
  fields: fc.array(fc.tuple(name, value), { maxLength: 12 }),
});
const text = ({ method, url, fields }: { method: string; url: string; fields: [string, string][] }): string =>
  `${method} ${url} HTTP/1.1\r\nHost: a\r\n${fields.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;

test('property: a generated plain head reads back as written, and every prefix of it is incomplete', () => {
  fc.assert(
    fc.property(plainHead, (g) => {
      const s = text(g);
      const h = plain(parse(s));
      assert.equal(h.method, g.method);
      assert.equal(h.url, g.url);
      assert.deepEqual(h.headers, ['Host', 'a', ...g.fields.flat()]);
      assert.equal(h.length, s.length);
      for (let i = 0; i < s.length; i++) assert.equal(parse(s.slice(0, i)), incomplete);
    }),
  );
});

test('property: a body, folding or a control byte anywhere in a plain head leaves it to node', () => {
  const hostile = fc.constantFrom('Content-Length: 1\r\n', 'Transfer-Encoding: chunked\r\n', 'Content-Length: 0\r\nContent-Length: 0\r\n', ' folded\r\n', 'X-A: \x7f\r\n', 'X-A: a\x0bb\r\n', 'Host: b\r\n', 'Upgrade: h2c\r\n');
  fc.assert(
    fc.property(plainHead, hostile, fc.nat(), (g, bad, at) => {
      const lines = text(g).split('\r\n');
      // Inserted after the request line, anywhere among the fields.
      const i = 1 + (at % (lines.length - 2));
      const s = [...lines.slice(0, i), bad.slice(0, -2), ...lines.slice(i)].join('\r\n');
      assert.equal(parse(s), other);
    }),
  );
});

test('property: arbitrary bytes never throw, and a head read from them is within them and plain', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, prefixed) => {
      const buf = Buffer.concat([Buffer.from(prefixed ? 'GET / HTTP/1.1\r\nHost: a\r\n' : '', 'latin1'), bytes]);
      const r = parseRequestHead(buf, 0, max);
      if (typeof r === 'object') {
        assert.ok(r.length <= buf.length);
        const head = buf.toString('latin1', 0, r.length);
        assert.ok(head.endsWith('\r\n\r\n'));
        assert.doesNotMatch(head, /[^\t\r\n\x20-\x7e]/);
        assert.doesNotMatch(head, /\r\n[\t ]/);
        assert.doesNotMatch(head, /transfer-encoding/i);
      }
    }),
  );
});
