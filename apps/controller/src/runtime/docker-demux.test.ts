import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demuxDockerLog } from './docker-demux.js';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

test('joins stdout and stderr frames in order', () => {
  assert.equal(demuxDockerLog(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, 'more')])), 'out\nerr\nmore');
});

test('passes plain text through', () => {
  assert.equal(demuxDockerLog(Buffer.from('hello world, plain text')), 'hello world, plain text');
});
