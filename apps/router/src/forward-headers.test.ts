import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downstreamHeaders, requestHeadersFor, responseHeadersFor, upstreamHeaders, withoutHopByHop } from './forward-headers.js';

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

test('upstreamHeaders works on the raw list: drops hop-by-hop and named headers, merges X-Forwarded-For, keeps names as sent', () => {
  const base = { clientIp: '10.0.0.9', proto: 'https' as const, port: 443, requestId: 'r'.repeat(20) };
  const out = upstreamHeaders(
    ['Host', 'Shop.test', 'Connection', 'keep-alive, X-Secret', 'X-Secret', 's', 'X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2', 'Transfer-Encoding', 'chunked', 'Content-Length', '5', 'Expect', '100-continue', 'Proxy-Authorization', 'x', 'Set-Thing', 'a', 'Set-Thing', 'b', 'X-Request-Id', 'theirs'],
    base,
  );
  assert.deepEqual(out, [
    'Host', 'Shop.test', 'Content-Length', '5', 'Set-Thing', 'a', 'Set-Thing', 'b',
    'x-forwarded-for', '1.1.1.1, 2.2.2.2, 10.0.0.9', 'x-forwarded-proto', 'https', 'x-forwarded-port', '443', 'x-request-id', 'r'.repeat(20),
  ]);
});

test('downstreamHeaders drops hop-by-hop ones from the raw response, replaces the request id, reads Content-Length', () => {
  const raw = ['Content-Length', '3', 'Connection', 'keep-alive, X-Private', 'X-Private', 'p', 'Keep-Alive', 'timeout=5', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'X-Request-Id', 'backend-id'].map((s) => Buffer.from(s));
  assert.deepEqual(downstreamHeaders(raw, 'rid'), { headers: ['Content-Length', '3', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'x-request-id', 'rid'], contentLength: 3 });
  assert.equal(downstreamHeaders([Buffer.from('Transfer-Encoding'), Buffer.from('chunked')], 'rid').contentLength, -1);
});
