import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuildInfoScanner, buildInfoMagic, parseModInfo, readBuildInfoBlob } from './go-buildinfo.js';

/** A Go 1.18+ buildinfo blob as the linker writes it. */
function blob(goVersion: string, modinfo: string): Buffer {
  const header = Buffer.alloc(32);
  buildInfoMagic.copy(header);
  header[14] = 8;
  header[15] = 2;
  const str = (s: string): Buffer => {
    const b = Buffer.from(s);
    const len: number[] = [];
    let n = b.length;
    do {
      len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>= 7;
    } while (n > 0);
    return Buffer.concat([Buffer.from(len), b]);
  };
  const sentinel = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
  const framed = Buffer.concat([sentinel, Buffer.from(modinfo), Buffer.from('f932433186182072008242104116d8f2', 'hex')]).toString('latin1');
  return Buffer.concat([header, str(goVersion), Buffer.from(str(''))].slice(0, 2).concat([strLatin1(framed, str)]));
}
function strLatin1(s: string, str: (s: string) => Buffer): Buffer {
  void str;
  const b = Buffer.from(s, 'latin1');
  return Buffer.concat([Buffer.from([b.length & 0x7f | 0x80, b.length >> 7]), b]);
}

const modinfo = 'path\texample.com/cmd/app\nmod\texample.com\tv1.2.3\th1:abc=\ndep\tgolang.org/x/text\tv0.3.7\th1:def=\ndep\tgithub.com/old/x\tv1.0.0\n=>\tgithub.com/new/x\tv1.1.0\th1:ghi=\nbuild\t-compiler=gc\n';

test('go version -m: module info lines', () => {
  const info = parseModInfo('go1.22.1', modinfo);
  assert.equal(info.path, 'example.com/cmd/app');
  assert.deepEqual(info.main, { path: 'example.com', version: 'v1.2.3', sum: 'h1:abc=' });
  assert.equal(info.deps.length, 2);
  assert.deepEqual(info.deps[1]!.replace, { path: 'github.com/new/x', version: 'v1.1.0', sum: 'h1:ghi=' });
  assert.equal(info.settings['-compiler'], 'gc');
});

test('the buildinfo blob: version, then the framed module info', () => {
  const read = readBuildInfoBlob(blob('go1.22.1', modinfo));
  assert.equal(read?.goVersion, 'go1.22.1');
  assert.equal(read?.modinfo, modinfo);
  assert.equal(readBuildInfoBlob(Buffer.from('nope')), undefined);
});

test('the scanner finds the blob across chunk boundaries, at a 16-byte aligned offset only', () => {
  const data = Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(12), Buffer.from(buildInfoMagic), Buffer.alloc(2), Buffer.alloc(16 * 100 - 18), blob('go1.21.0', modinfo), Buffer.alloc(500)]);
  // the first copy of the magic is at offset 16, but its flags byte is 0 (pre-1.18 pointers): unreadable
  const s = new BuildInfoScanner();
  for (let i = 0; i < data.length; i += 7) s.push(data.subarray(i, i + 7));
  assert.equal(s.found, undefined, 'the first aligned magic wins, and it is not readable');
  const later = Buffer.concat([Buffer.alloc(16 * 50 + 3), Buffer.from(buildInfoMagic), Buffer.alloc(16 * 3 - 3 - 14 + 16), blob('go1.21.0', modinfo)]);
  const t = new BuildInfoScanner();
  for (let i = 0; i < later.length; i += 5) t.push(later.subarray(i, i + 5));
  assert.equal(t.found?.goVersion, 'go1.21.0', 'an unaligned magic is skipped');
  assert.equal(t.found?.main?.version, 'v1.2.3');
});
