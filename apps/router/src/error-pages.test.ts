import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorResponse, routerErrors } from './error-pages.js';

test('each code maps to its status', () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(routerErrors).map(([code, e]) => [code, e.status])),
    { app_not_found: 404, not_found: 404, no_web_processes: 503, app_not_responding: 502, app_timeout: 504, body_too_large: 413, headers_too_large: 431, maintenance: 503 },
  );
});

test('HTML by default, with the title and the request id', () => {
  const r = errorResponse('no_web_processes', 'req-123', 'text/html,*/*');
  assert.equal(r.status, 503);
  assert.match(r.headers['content-type'] ?? '', /text\/html/);
  assert.equal(r.headers['x-request-id'], 'req-123');
  assert.equal(r.headers['content-length'], String(r.body.length));
  const html = r.body.toString();
  assert.match(html, /No web processes running/);
  assert.match(html, /req-123/);
});

test('JSON when the client accepts it', () => {
  const r = errorResponse('app_not_found', 'req-9', 'application/json');
  assert.equal(r.status, 404);
  assert.deepEqual(JSON.parse(r.body.toString()), {
    id: 'app_not_found',
    message: 'No such app',
    detail: routerErrors.app_not_found.detail,
    request_id: 'req-9',
  });
});

test('the page escapes what it prints', () => {
  assert.doesNotMatch(errorResponse('app_timeout', '<script>', undefined).body.toString(), /<script>/);
});
