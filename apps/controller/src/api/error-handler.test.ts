// The error table: library errors that carry a status keep it under a stable id; anything else is a
// 500 logged with the request id that the answer carries too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import request from 'supertest';
import type { Logger } from '@paas/shared';
import { errorHandler } from './error-handler.js';
import { fromLibraryError } from './library-errors.js';

/** An error as http-errors makes them (what body-parser and raw-body throw): a status, maybe a type. */
function createError(status: number, cause: string | Error, props: Record<string, unknown> = {}): Error {
  const err = typeof cause === 'string' ? new Error(cause) : cause;
  return Object.assign(err, { status, statusCode: status, expose: status < 500 }, props);
}

function appThrowing(err: unknown, logged: unknown[]) {
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader('Request-Id', 'req-42');
    next();
  });
  app.get('/', () => {
    throw err;
  });
  const log = { error: (obj: unknown, msg: string) => logged.push({ obj, msg }) } as unknown as Logger;
  app.use(errorHandler(log));
  return app;
}

describe('error table', () => {
  test('body-parser and raw-body errors keep their status with a stable id', () => {
    const cases: [unknown, number, string][] = [
      [createError(400, 'bad json', { type: 'entity.parse.failed' }), 422, 'invalid_params'],
      [createError(413, 'too large', { type: 'entity.too.large' }), 413, 'payload_too_large'],
      [createError(415, 'x', { type: 'encoding.unsupported' }), 415, 'unsupported_media_type'],
      [createError(415, 'x', { type: 'charset.unsupported' }), 415, 'unsupported_media_type'],
      [createError(400, 'aborted', { type: 'request.aborted' }), 400, 'invalid_body'],
      [createError(400, 'size', { type: 'request.size.invalid' }), 400, 'invalid_body'],
      [createError(400, Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR' })), 400, 'invalid_body'],
      [createError(400, Object.assign(new Error('Decompression failed'), { code: 'ERR__ERROR_FORMAT_PADDING_2' })), 400, 'invalid_body'],
      [Object.assign(new URIError("Failed to decode param '%ff'"), { status: 400 }), 400, 'invalid_path'],
      [createError(400, 'something else'), 400, 'bad_request'],
      [createError(415, 'other'), 415, 'unsupported_media_type'],
    ];
    for (const [err, status, id] of cases) {
      const mapped = fromLibraryError(err);
      assert.ok(mapped, String(err));
      assert.equal(mapped.status, status, `${String(err)}`);
      assert.equal(mapped.code, id, `${String(err)}`);
    }
    assert.equal(fromLibraryError(new Error('plain')), undefined, 'no status: a bug, not a refusal');
    assert.equal(fromLibraryError(createError(503, 'down')), undefined, 'a 5xx is not a refusal');
  });

  test('a library 4xx answers with its status, not 500', async () => {
    const logged: unknown[] = [];
    const res = await request(appThrowing(createError(415, 'x', { type: 'charset.unsupported' }), logged)).get('/');
    assert.equal(res.status, 415);
    assert.equal(res.body.id, 'unsupported_media_type');
    assert.equal(logged.length, 0);
  });

  test('a 500 is logged with the request id, and the answer carries it in its header and body', async () => {
    const logged: { obj: { requestId?: string; err?: Error }; msg: string }[] = [];
    const res = await request(appThrowing(new TypeError('boom'), logged)).get('/');
    assert.equal(res.status, 500);
    assert.equal(res.headers['request-id'], 'req-42');
    assert.equal(res.body.id, 'internal');
    assert.equal(res.body.request_id, 'req-42');
    assert.doesNotMatch(res.body.message, /boom/, 'the cause stays in the log');
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.obj.requestId, 'req-42');
    assert.equal(logged[0]!.obj.err?.message, 'boom');
  });

  test('PostgreSQL gone away (stopping, starting, unreachable, a broken connection) is 503 database_unavailable, retryable', async () => {
    // What node-postgres gives: a server error with a SQLSTATE and a severity, or its own messages.
    const serverError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
    const gone: unknown[] = [
      serverError('57P01', 'terminating connection due to administrator command'),
      serverError('57P03', 'the database system is starting up'),
      serverError('08006', 'connection failure'),
      serverError('53300', 'sorry, too many clients already'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
    ];
    for (const err of gone) {
      const mapped = fromLibraryError(err);
      assert.equal(mapped?.code, 'database_unavailable', String(err));
      assert.equal(mapped?.status, 503);
      assert.equal(mapped?.retryable, true);
    }
    // Not the database's: a unique violation, a socket error without node-postgres around it.
    assert.equal(fromLibraryError(serverError('23505', 'duplicate key')), undefined);
    assert.equal(fromLibraryError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2375'), { code: 'ECONNREFUSED' })), undefined);

    const logged: unknown[] = [];
    const res = await request(appThrowing(serverError('57P01', 'terminating connection due to administrator command'), logged)).get('/');
    assert.equal(res.status, 503);
    assert.equal(res.body.id, 'database_unavailable');
    assert.equal(res.headers['retry-after'], '2');
    assert.doesNotMatch(res.body.message, /administrator/);
  });
});
