import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasBody, requestHeadersFor, responseHeadersFor, withoutHopByHop } from './forward-headers.js';

test('hop-by-hop headers and those named in Connection are stripped', () => {
  const out = withoutHopByHop({
    connection: 'keep-alive, X-Secret, close',
    'keep-alive': 'timeout=5',
    'proxy-authorization': 'Basic x',
    'proxy-foo': 'y',
    te: 'trailers',
    trailer: 'Expires',
    'transfer-encoding': 'chunked',
    upgrade: 'websocket',
    'x-secret': 'dropped',
    'x-kept': 'kept',
    host: 'a.localhost',
  });
  assert.deepEqual(out, { 'x-kept': 'kept', host: 'a.localhost' });
});

test('X-Forwarded-For is appended to, the other forwarded headers set, Host kept', () => {
  const base = { clientIp: '10.0.0.9', proto: 'http' as const, port: 80, requestId: 'r'.repeat(20) };
  const out = requestHeadersFor({ host: 'A.localhost:8080', 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', expect: '100-continue' }, base);
  assert.deepEqual(out, {
    host: 'A.localhost:8080',
    'x-forwarded-for': '1.2.3.4, 10.0.0.9',
    'x-forwarded-proto': 'http',
    'x-forwarded-port': '80',
    'x-request-id': 'r'.repeat(20),
  });
  assert.equal(requestHeadersFor({}, base)['x-forwarded-for'], '10.0.0.9');
});

test('responses keep their end-to-end headers and gain the request id', () => {
  const out = responseHeadersFor({ 'set-cookie': ['a=1', 'b=2'], connection: 'close', 'content-length': '3' }, 'rid');
  assert.deepEqual(out, { 'set-cookie': ['a=1', 'b=2'], 'content-length': '3', 'x-request-id': 'rid' });
});

test('hasBody', () => {
  assert.equal(hasBody({}), false);
  assert.equal(hasBody({ 'content-length': '0' }), false);
  assert.equal(hasBody({ 'content-length': '12' }), true);
  assert.equal(hasBody({ 'transfer-encoding': 'chunked' }), true);
});
