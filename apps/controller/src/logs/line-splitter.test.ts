import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, escapeLogText } from './line-splitter.js';

const texts = (lines: { text: string }[]) => lines.map((l) => l.text);

test('splits at newlines across chunks, keeping the first chunk timestamp of each line', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push(Buffer.from('hel'), 't1'), []);
  assert.ok(s.partial);
  assert.deepEqual(s.push(Buffer.from('lo\nworld\r\n\nnext'), 't2'), [
    { text: 'hello', ts: 't1' },
    { text: 'world', ts: 't2' },
    { text: '', ts: 't2' },
  ]);
  assert.deepEqual(s.flush(), [{ text: 'next', ts: 't2' }]);
  assert.deepEqual(s.flush(), []);
});

test('a 1 MB line becomes bounded pieces, and the next line still comes through', () => {
  const s = new LineSplitter(8192);
  const big = 'x'.repeat(1024 * 1024);
  const lines = [...s.push(Buffer.from(big.slice(0, 300_000)), 't'), ...s.push(Buffer.from(`${big.slice(300_000)}\nafter\n`), 't')];
  assert.equal(lines.at(-1)!.text, 'after');
  const pieces = lines.slice(0, -1);
  assert.equal(pieces.length, 128);
  assert.ok(pieces.every((p) => Buffer.byteLength(p.text) <= 8192));
  assert.equal(pieces.map((p) => p.text).join(''), big);
});

test('never cuts inside a UTF-8 character', () => {
  const s = new LineSplitter(10);
  const lines = s.push(Buffer.from('ééééééééééé\n'), 't'); // 22 bytes
  assert.deepEqual(texts(lines), ['ééééé', 'ééééé', 'é']);
});

test('binary output is escaped into printable text', () => {
  assert.equal(escapeLogText(Buffer.from([0x41, 0x00, 0x07, 0x09, 0x42])), 'A\\x00\\x07\tB');
  assert.equal(escapeLogText(Buffer.from([0xff, 0xfe, 0x41])), '\\xff\\xfeA');
  assert.equal(escapeLogText(Buffer.from('\x1b[32mgreen\x1b[0m')), '\x1b[32mgreen\x1b[0m', 'colours are kept');
  assert.equal(escapeLogText(Buffer.from('a\rb')), 'a\\x0db');
  const s = new LineSplitter(64);
  const random = Buffer.alloc(4096);
  for (let i = 0; i < random.length; i++) random[i] = (i * 7919) % 256;
  const lines = [...s.push(random, 't'), ...s.flush()];
  for (const l of lines) assert.doesNotMatch(l.text, /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f]/);
});
