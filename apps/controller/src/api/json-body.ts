import express, { type RequestHandler } from 'express';
import { AppError } from '@paas/shared';
import { checkJsonBody } from './request-guard.js';
import { jsonDepthMax, jsonShapeProblem, jsonValuesMax, type JsonShapeProblem } from './json-depth.js';

/** The most a request body may hold once decoded (gzip, deflate and br bodies are inflated within it). */
export const bodyLimit = '1mb';
const bodyLimitBytes = 1024 * 1024;

/**
 * The Content-Encodings a body may come in, on every supported node version: body-parser also inflates
 * zstd where node's zlib has it (node 22.15 and later), which would make the API's answer depend on
 * the node it runs on.
 */
const acceptedEncodings = new Set(['identity', 'gzip', 'deflate', 'br']);

/** Thrown from the parser's verify step (its raw bytes, before JSON.parse) and turned into an AppError below. */
class BadShape extends Error {
  readonly status = 400;
  constructor(readonly problem: NonNullable<JsonShapeProblem>) {
    super(problem);
  }
}

const parseJson = express.json({
  limit: bodyLimit,
  type: () => true,
  strict: true,
  verify: (_req, _res, buf) => {
    const problem = jsonShapeProblem(buf);
    if (problem) throw new BadShape(problem);
  },
});

/** Whether the request carries a body: a Transfer-Encoding, or a Content-Length above 0. */
function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/** `application/json` or `application/<x>+json`, in UTF-8 (no charset parameter, or utf-8). */
export function isJsonUtf8(contentType: string): boolean {
  const [media, ...params] = contentType.split(';');
  const type = (media ?? '').trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type)) return false;
  for (const p of params) {
    const [name, value] = p.split('=', 2).map((x) => x.trim().toLowerCase());
    if (name === 'charset' && value?.replace(/^"(.*)"$/, '$1') !== 'utf-8') return false;
  }
  return true;
}

/**
 * Reads a route's JSON body: a body is only accepted as `application/json` in UTF-8 (else 415
 * unsupported_media_type, so a `text/plain` POST is never read as `{}`); gzip, deflate and br are
 * inflated (a broken one is 400 invalid_body, another encoding 415); a body whose arrays and objects
 * nest deeper than 64 is 400 nesting_too_deep, found by one pass over its bytes before it is parsed
 * (parsing and walking 50,000 levels would stall the event loop), and one holding more than 10,000
 * values 413 payload_too_large, found in the same pass; the parsed JSON is then held to
 * checkJsonBody (no NUL, lone surrogate or reserved key at any depth). Without a body, `req.body`
 * stays undefined and the route's schema sees `{}`.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  if (!hasBody(req.headers)) return next();
  const type = req.headers['content-type'];
  if (!type || !isJsonUtf8(type)) {
    return next(new AppError('unsupported_media_type', 'request bodies must be JSON: Content-Type: application/json (UTF-8)'));
  }
  // A body declared too large is refused at once (the parser would read it all before saying so);
  // the error handler then reads what it must of it, within bounds, so the answer arrives.
  const declared = Number(req.headers['content-length']);
  if (req.headers['content-encoding'] === undefined && declared > bodyLimitBytes) {
    return next(new AppError('payload_too_large', 'request body is too large (at most 1 MB)'));
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && !acceptedEncodings.has(encoding.trim().toLowerCase())) {
    // As body-parser reports an encoding it does not know (library-errors.ts maps it to 415).
    return next(Object.assign(new Error(`unsupported content encoding "${encoding}"`), { status: 415, type: 'encoding.unsupported' }));
  }
  parseJson(req, res, (err?: unknown) => {
    if (err instanceof BadShape && err.problem === 'too_deep') {
      return next(new AppError('nesting_too_deep', `request bodies may nest arrays and objects at most ${jsonDepthMax} deep`, { details: { max: jsonDepthMax } }));
    }
    if (err instanceof BadShape) {
      return next(new AppError('payload_too_large', `request bodies may hold at most ${jsonValuesMax} values (array elements and object members)`, { details: { limit: 'values', max: jsonValuesMax } }));
    }
    if (err) return next(err);
    try {
      checkJsonBody(req.body);
    } catch (e) {
      return next(e);
    }
    next();
  });
};
