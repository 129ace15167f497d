import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { en } from './en.js';
import { zhCN } from './zh-cn.js';
import { findHardcodedText, keysUsed, placeholders } from './hardcoded-text.js';
import { makeI18n } from './index.js';

const srcDir = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

test('no component has text written into it: every string comes from the catalogues', () => {
  const files = sources(srcDir).filter((f) => f.endsWith('.tsx'));
  assert.ok(files.length >= 10, `found only ${files.length} components`);
  const findings = files.flatMap((f) => findHardcodedText(f, readFileSync(f, 'utf8')).map((x) => `${relative(srcDir, f)}:${x.line}: ${x.text}`));
  assert.deepEqual(findings, []);
});

test('the check finds text in JSX, in JSX string children and in read attributes, in any script', () => {
  const sample = `export const A = () => (
    <div>
      <p>Hello there</p>
      <p>{'Quoted'}</p>
      <input placeholder="Type here" aria-label={'Name'} />
      <span>你好</span>
      <span>{t('ok.key')} — {n} · v{n}</span>
      <input class="not-read" type="text" />
    </div>
  );`;
  assert.deepEqual(
    findHardcodedText('sample.tsx', sample).map((f) => f.text),
    ['Hello there', 'Quoted', 'Type here', 'Name', '你好'],
  );
});

test('every key a component names exists, and both catalogues have the same keys and placeholders', () => {
  const keys = new Set(Object.keys(en));
  const used = sources(srcDir).flatMap((f) => keysUsed(readFileSync(f, 'utf8')).map((k) => ({ k, f: relative(srcDir, f) })));
  assert.ok(used.length > 100, `found only ${used.length} uses of t()`);
  assert.deepEqual(used.filter((u) => !keys.has(u.k)), []);
  assert.deepEqual(Object.keys(zhCN).sort(), [...keys].sort());
  for (const k of keys) {
    const key = k as keyof typeof en;
    assert.ok(zhCN[key].trim() !== '', `${k} is empty in zh-CN`);
    assert.deepEqual(placeholders(zhCN[key]), placeholders(en[key]), `${k}: placeholders differ`);
  }
});

test('messages fill their placeholders; API errors are said in the user language by their code', () => {
  const zh = makeI18n('zh-CN', () => {});
  assert.equal(zh.t('ps.quota', { used: 2, limit: 2 }), '您的配额：已使用 2 / 2 个进程');
  const quota = { id: 'quota_exceeded', message: 'quota exceeded: processes (2)' };
  assert.equal(zh.error(quota), '超出了您的配额。 (quota exceeded: processes (2))');
  assert.equal(makeI18n('en', () => {}).error(quota), 'quota exceeded: processes (2)');
  assert.equal(zh.error({ id: 'no_such_code', message: 'raw message' }), 'raw message');
  assert.equal(zh.num(12345), '12,345');
});
