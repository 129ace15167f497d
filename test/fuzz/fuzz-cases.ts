// fast-check arbitraries for hostile requests to one OpenAPI operation: malformed path parameters,
// query strings, headers and bodies, each case labelled with what was done to it.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { JsonSchema, Operation } from './openapi-operations.js';
import type { RawRequest } from './raw-http.js';

export interface FuzzCase {
  op: Operation;
  request: RawRequest;
  /** What was done, for the report: `path:bad-percent body:proto-keys enc:gzip-truncated auth:user`. */
  label: string;
}

export interface CaseContext {
  /** An app the user token may act on, so requests get past authorization to validation. */
  app: string;
  userToken: string;
}

type Part<T> = { value: T; tag: string };
const tagged = <T>(tag: string, arb: fc.Arbitrary<T>): fc.Arbitrary<Part<T>> => arb.map((value) => ({ value, tag }));

/** Percent-encodes what encodeURIComponent would, but lone surrogates become their WTF-8 bytes. */
function encodeSegment(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`;
    else out += encodeURIComponent(ch).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  }
  return out;
}

const validParam: Record<string, string[]> = {
  user: ['fuzz@example.com', 'nobody@example.com'],
  authorization: ['00000000-0000-0000-0000-000000000000', 'paas_x'],
  collaborator: ['fuzz@example.com', 'someone@example.com'],
  name: ['www.example.com', 'example.com'],
  dyno: ['web.1', 'run.1', 'web'],
  drain: ['syslog+tls://logs.example.com:6514', '00000000-0000-0000-0000-000000000000'],
  build: ['00000000-0000-0000-0000-000000000000', 'latest'],
  release: ['v1', '1', '0', 'v99999999999'],
};

/** Path parameter values, raw (already in their encoded form on the wire). */
function pathParam(name: string, ctx: CaseContext): fc.Arbitrary<Part<string>> {
  const valid = name === 'app' ? [ctx.app, 'no-such-app'] : (validParam[name] ?? ['x']);
  return fc.oneof(
    { weight: 4, arbitrary: tagged('valid', fc.constantFrom(...valid).map(encodeSegment)) },
    {
      weight: 4,
      arbitrary: tagged(
        'bad-percent',
        fc.constantFrom('%ff', '%', '%zz', '%e0%80', '%c0%af', 'a%', '%%', '%u0041', '%c3', '%f0%9f'),
      ),
    },
    { weight: 2, arbitrary: tagged('nul', fc.constantFrom('%00', 'a%00b', `${valid[0]}%00`)) },
    { weight: 2, arbitrary: tagged('surrogate', fc.constantFrom('%ed%a0%80', 'a%ed%b0%80', '%ef%bf%bf')) },
    { weight: 2, arbitrary: tagged('traversal', fc.constantFrom('..', '.', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%2f', '%5c..%5c', '....%2f%2f')) },
    { weight: 1, arbitrary: tagged('control', fc.constantFrom('%0d%0aSet-Cookie:%20x=1', '%1b%5b31m', '%7f', '%09')) },
    { weight: 2, arbitrary: tagged('huge', fc.integer({ min: 300, max: 20_000 }).map((n) => 'a'.repeat(n))) },
    { weight: 3, arbitrary: tagged('random', fc.string({ unit: 'binary', maxLength: 40 }).map(encodeSegment)) },
  );
}

/** Query values (encoded). */
const queryValue: fc.Arbitrary<Part<string>> = fc.oneof(
  tagged('number', fc.constantFrom('1', '0', '-1', '1000', '1001', '1e9', '99999999999999999999', 'NaN', '0x10', '1.5', '')),
  tagged('bool', fc.constantFrom('true', 'false', '1', 'yes')),
  tagged('bad-percent', fc.constantFrom('%ff', '%', '%zz', '%c0%80')),
  tagged('nul', fc.constantFrom('%00', 'a%00', 'web%00')),
  tagged('surrogate', fc.constantFrom('%ed%a0%80', '%ed%bf%bf')),
  tagged('huge', fc.integer({ min: 1000, max: 8000 }).map((n) => 'q'.repeat(n))),
  tagged('random', fc.string({ unit: 'binary', maxLength: 30 }).map(encodeSegment)),
  tagged('cursor', fc.constantFrom('AAAA', 'eyJ9', Buffer.from('\0').toString('base64url'), Buffer.from('{"id":"x"}').toString('base64url'), Buffer.from('\ud800', 'utf16le').toString('base64url'))),
);

function queryString(op: Operation): fc.Arbitrary<Part<string>> {
  const names = [...op.query.map((q) => q.name), '__proto__', 'constructor', 'a[b]', '__proto__[admin]', 'limit', 'cursor', 'x'.repeat(300)];
  const enumValues = op.query.flatMap((q) => (q.schema.enum ?? []).map((e) => [q.name, String(e)] as const));
  const pair = fc.oneof(
    fc.tuple(fc.constantFrom(...names), queryValue).map(([k, v]) => ({ value: `${encodeSegment(k).replace(/%5B/g, '[').replace(/%5D/g, ']')}=${v.value}`, tag: v.tag })),
    ...(enumValues.length ? [fc.constantFrom(...enumValues).map(([k, v]) => ({ value: `${k}=${encodeSegment(v)}`, tag: 'enum' }))] : []),
  );
  return fc
    .array(pair, { maxLength: 5 })
    .map((pairs) => ({ value: pairs.length ? `?${pairs.map((p) => p.value).join('&')}` : '', tag: pairs.length ? [...new Set(pairs.map((p) => p.tag))].join('+') : 'none' }));
}

/** A value shaped like the schema (what the API would accept, mostly). */
export function fromSchema(s: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!s || depth > 4) return fc.jsonValue({ maxDepth: 2 });
  if (s.enum?.length) return fc.constantFrom(...s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => fromSchema(a, depth + 1)));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      if (props.length === 0) return fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 20 }), fc.constant(null)), { maxKeys: 4 });
      const required = new Set(s.required ?? []);
      return fc.record(
        Object.fromEntries(props.map(([k, v]) => [k, fromSchema(v, depth + 1)])),
        { requiredKeys: props.map(([k]) => k).filter((k) => required.has(k)) },
      );
    }
    case 'array':
      return fc.array(fromSchema(s.items, depth + 1), { maxLength: Math.min(s.maxItems ?? 4, 4) });
    case 'integer':
      return fc.integer({ min: s.minimum ?? -5, max: Math.min(s.maximum ?? 100, 100_000) });
    case 'number':
      return fc.double({ min: s.minimum ?? -5, max: Math.min(s.maximum ?? 100, 100_000), noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return fc.oneof(fc.constantFrom('web', 'nodejs', 'example.com', 'fuzz@example.com', 'syslog+tls://logs.example.com:6514', 'hello'), fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 30, 30) }));
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Replaces every string in a value by one of the hostile ones. */
function poisonStrings(v: unknown, bad: string): unknown {
  if (typeof v === 'string') return bad;
  if (Array.isArray(v)) return v.map((x) => poisonStrings(x, bad));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, poisonStrings(x, bad)]));
  return v;
}

function bodyText(op: Operation): fc.Arbitrary<Part<Buffer>> {
  const valid = fromSchema(op.body);
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');
  const withKeys = (v: unknown, keys: string): Buffer => {
    const text = JSON.stringify(v && typeof v === 'object' && !Array.isArray(v) ? v : {});
    return Buffer.from(text === '{}' ? `{${keys}}` : `{${keys},${text.slice(1)}`, 'utf8');
  };
  return fc.oneof(
    { weight: 5, arbitrary: tagged('valid', valid.map(json)) },
    { weight: 3, arbitrary: tagged('wrong-types', fc.oneof(fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 })).map((v) => json(v === undefined ? null : v))) },
    {
      weight: 3,
      arbitrary: tagged(
        'proto-keys',
        fc.tuple(valid, fc.constantFrom('"__proto__":{"role":"admin","isAdmin":true}', '"constructor":{"prototype":{"x":1}}', '"__proto__":null', '"prototype":1', '"__proto__":[]')).map(([v, k]) => withKeys(v, k)),
      ),
    },
    {
      weight: 3,
      arbitrary: tagged(
        'nul-surrogate-control',
        fc.tuple(valid, fc.constantFrom('\0', 'a\0b', '\ud800', 'x\udfff', '\u001b[31mred\u001b[0m', 'line\r\nInjected: 1', '\u202e', '\uffff')).map(([v, bad]) => json(poisonStrings(v, bad))),
      ),
    },
    { weight: 2, arbitrary: tagged('deep-nesting', fc.tuple(fc.integer({ min: 500, max: 50_000 }), fc.boolean()).map(([n, arr]) => Buffer.from(arr ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`))) },
    {
      weight: 2,
      arbitrary: tagged(
        'huge-string',
        fc.tuple(valid, fc.constantFrom(100_000, 900_000, 1_100_000)).map(([v, n]) => json(poisonStrings(v && typeof v === 'object' ? v : { x: '' }, 'z'.repeat(n)))),
      ),
    },
    { weight: 1, arbitrary: tagged('many-keys', fc.integer({ min: 100, max: 20_000 }).map((n) => json({ ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${i}`, 'v'])) }))) },
    {
      weight: 3,
      arbitrary: tagged(
        'broken-json',
        fc.oneof(
          fc.constantFrom('{', '{"a":', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '{"a":1}{"b":2}', '[1,2', '"\\ud800"', '{"a":"\\u00"}', '1e99999', '{"a":1,"a":2}', ''),
          fc.string({ unit: 'binary', maxLength: 50 }),
        ).map((t) => Buffer.from(t, 'utf8')),
      ),
    },
    { weight: 1, arbitrary: tagged('invalid-utf8', fc.constantFrom(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), Buffer.from([0xc0, 0x80]), Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))) },
  );
}

type Encoding = { name: string | undefined; tag: string; apply: (b: Buffer) => Buffer };
const encodings: Encoding[] = [
  { name: undefined, tag: 'none', apply: (b) => b },
  { name: 'identity', tag: 'identity', apply: (b) => b },
  { name: 'gzip', tag: 'gzip', apply: (b) => gzipSync(b) },
  { name: 'gzip', tag: 'gzip-truncated', apply: (b) => gzipSync(b).subarray(0, Math.max(3, gzipSync(b).length >> 1)) },
  { name: 'gzip', tag: 'gzip-corrupt', apply: (b) => Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.from('not deflate data')]) },
  { name: 'gzip', tag: 'gzip-claimed', apply: (b) => b },
  { name: 'deflate', tag: 'deflate', apply: (b) => deflateSync(b) },
  { name: 'deflate', tag: 'deflate-broken', apply: (b) => Buffer.concat([Buffer.from([0x78, 0x9c]), b]) },
  { name: 'br', tag: 'br-broken', apply: (b) => brotliCompressSync(b).subarray(1) },
  { name: 'x-unknown', tag: 'unknown', apply: (b) => b },
  { name: 'gzip, gzip', tag: 'gzip-twice-claimed', apply: (b) => gzipSync(b) },
];

const contentTypes = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/*',
  ';;;',
  'APPLICATION/JSON',
  'application/merge-patch+json',
];

function authHeader(ctx: CaseContext): fc.Arbitrary<Part<string | undefined>> {
  return fc.oneof(
    { weight: 4, arbitrary: tagged('none', fc.constant(undefined)) },
    { weight: 8, arbitrary: tagged('user', fc.constant(`Bearer ${ctx.userToken}`)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        { value: `Bearer ${ctx.userToken} extra-words`, tag: 'bearer-extra' },
        { value: `bearer ${ctx.userToken}`, tag: 'bearer-lowercase' },
        { value: `Bearer  ${ctx.userToken}`, tag: 'bearer-two-spaces' },
        { value: 'Bearer', tag: 'bearer-empty' },
        { value: 'Bearer paas_000000000000000000000000', tag: 'bearer-unknown' },
        { value: `Bearer ${ctx.userToken.slice(0, -3)}abc`, tag: 'bearer-forged' },
        { value: `Basic ${Buffer.from(`x:${ctx.userToken}`).toString('base64')}`, tag: 'basic' },
        { value: 'Basic %%%', tag: 'basic-garbage' },
        { value: `Bearer ${'A'.repeat(8000)}`, tag: 'bearer-huge' },
        { value: 'Bearer a.b.c', tag: 'bearer-jwt-garbage' },
        { value: 'Bearer \u00ff\u00fe', tag: 'bearer-latin1' },
      ),
    },
  );
}

const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 4, arbitrary: fc.option(fc.constantFrom(...contentTypes)) },
) as fc.Arbitrary<string | null>;

/** One hostile request to one operation. */
export function caseFor(op: Operation, ctx: CaseContext): fc.Arbitrary<FuzzCase> {
  const path = fc.tuple(...op.params.map((p) => pathParam(p, ctx)));
  return fc
    .record({
      method: fc.oneof({ weight: 20, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: fc.constantFrom('PATCH', 'PUT', 'OPTIONS', 'HEAD', 'PROPFIND') }),
      path: op.params.length ? path : fc.constant([] as Part<string>[]),
      query: queryString(op),
      // Operations without a body get one now and then too.
      body: op.body ? fc.option(bodyText(op), { freq: 10, nil: null }) : fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: bodyText(op) }),
      contentType: contentType,
      encoding: fc.oneof({ weight: 6, arbitrary: fc.constant(encodings[0]!) }, { weight: 4, arbitrary: fc.constantFrom(...encodings) }),
      auth: authHeader(ctx),
      // Now and then an upgrade asked for, and the connection reset rather than closed once answered.
      upgrade: fc.oneof({ weight: 12, arbitrary: fc.constant<string | null>(null) }, { weight: 1, arbitrary: fc.constantFrom('websocket', 'h2c', 'paas-attach', 'x') }),
      reset: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map((c) => {
      let i = 0;
      const target = op.template.replace(/\{[^}]+\}/g, () => c.path[i++]!.value) + c.query.value;
      const headers: [string, string][] = [];
      const tags = [`auth:${c.auth.tag}`];
      if (c.auth.value !== undefined) headers.push(['Authorization', c.auth.value]);
      if (c.upgrade !== null) {
        headers.push(['Upgrade', c.upgrade]);
        tags.push(`upgrade:${c.upgrade}`);
      }
      if (c.reset) tags.push('reset');
      let body: Buffer | undefined;
      if (op.params.length) tags.push(`path:${[...new Set(c.path.map((p) => p.tag))].join('+')}`);
      if (c.query.tag !== 'none') tags.push(`query:${c.query.tag}`);
      if (c.body) {
        body = c.encoding.apply(c.body.value);
        if (c.encoding.name) headers.push(['Content-Encoding', c.encoding.name]);
        if (c.contentType) headers.push(['Content-Type', c.contentType]);
        tags.push(`body:${c.body.tag}`, `enc:${c.encoding.tag}`, `type:${c.contentType ?? 'none'}`);
      }
      return { op, request: { method: c.method, target, headers, body, connection: c.upgrade === null ? 'close' : 'Upgrade', reset: c.reset }, label: tags.join(' ') };
    });
}
