import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Logger } from '@paas/shared';
import { chooseCodec, selectCodec } from './http-codec.js';
import { requireHttpCommon, type HttpCommonModule } from './native-http-parser.js';

const real = requireHttpCommon();
class FakeParser {}

/** `_http_common` as a later node might have it. */
const broken: Record<string, () => HttpCommonModule> = {
  'a node without the module': () => {
    throw Object.assign(new Error("Cannot find module '_http_common'"), { code: 'MODULE_NOT_FOUND' });
  },
  'a module without HTTPParser': () => ({ methods: real.methods }),
  'a parser without kOnExecute': () => ({ HTTPParser: Object.assign(function Parser() {}, { REQUEST: 1, RESPONSE: 2, kOnHeaders: 0, kOnHeadersComplete: 1, kOnBody: 2, kOnMessageComplete: 3 }), methods: real.methods }),
  'a parser without consume()': () => ({ HTTPParser: Object.assign(FakeParser, { REQUEST: 1, RESPONSE: 2, kOnHeaders: 0, kOnHeadersComplete: 1, kOnBody: 2, kOnMessageComplete: 3, kOnExecute: 4 }), methods: real.methods }),
  'method names renumbered': () => ({ HTTPParser: real.HTTPParser, methods: ['GET'] }),
};

test('auto takes the native codec when node has the parser it relies on', () => {
  const { codec, reason } = chooseCodec('auto', () => real);
  assert.equal(codec.name, 'native');
  assert.match(reason, /expected shape/);
});

test('auto falls back to the codec on public APIs when _http_common is missing or changed; native refuses to start', () => {
  for (const [what, load] of Object.entries(broken)) {
    const { codec, reason } = chooseCodec('auto', load);
    assert.equal(codec.name, 'node', what);
    assert.ok(reason.length > 0, what);
    assert.throws(() => chooseCodec('native', load), /PAAS_ROUTER_PARSER=native: .*set PAAS_ROUTER_PARSER=auto or node/, what);
  }
});

test('node never loads _http_common; the choice is logged (a fallback as a warning)', () => {
  const { codec } = chooseCodec('node', () => assert.fail('node loaded _http_common'));
  assert.equal(codec.name, 'node');
  const lines: Record<string, unknown>[] = [];
  const record = (level: number) => (fields: Record<string, unknown>, msg: string) => lines.push({ ...fields, level, msg });
  const logger = { info: record(30), warn: record(40) } as unknown as Logger;
  assert.equal(selectCodec('auto', logger, broken['a node without the module']).name, 'node');
  assert.equal(selectCodec('native', logger, () => real).name, 'native');
  assert.deepEqual(
    lines.map((l) => [l['level'], l['codec'], l['setting']]),
    [
      [40, 'node', 'auto'],
      [30, 'native', 'native'],
    ],
  );
  assert.match(String(lines[0]!['reason']), /cannot load _http_common/);
});
