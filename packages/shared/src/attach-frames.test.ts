import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FrameDecoder,
  FrameProtocolError,
  FrameType,
  encodeData,
  encodeFrame,
  exitFrame,
  maxFramePayload,
  readExitCode,
  readResize,
  resizeFrame,
} from './attach-frames.js';

describe('attach frames', () => {
  test('a frame is type, big-endian length, payload', () => {
    assert.deepEqual([...encodeFrame(FrameType.stdout, 'hi')], [1, 0, 0, 0, 2, 0x68, 0x69]);
    assert.deepEqual([...encodeFrame(FrameType.stdin)], [0, 0, 0, 0, 0]);
  });

  test('exit codes and terminal sizes round-trip', () => {
    const d = new FrameDecoder();
    const [exit, resize, negative] = d.push(Buffer.concat([exitFrame(3), resizeFrame({ cols: 120, rows: 40 }), exitFrame(-1)]));
    assert.equal(exit?.type, FrameType.exit);
    assert.equal(readExitCode(exit!), 3);
    assert.deepEqual(readResize(resize!), { cols: 120, rows: 40 });
    assert.equal(readExitCode(negative!), -1);
    assert.deepEqual(readResize(d.push(resizeFrame({ cols: 0, rows: 1e9 }))[0]!), { cols: 1, rows: 65535 });
  });

  test('the decoder reassembles frames cut at any byte', () => {
    const bytes = Buffer.concat([encodeFrame(FrameType.stdout, 'hello '), encodeFrame(FrameType.stderr, 'wörld'), exitFrame(0)]);
    for (let step = 1; step <= bytes.length; step++) {
      const d = new FrameDecoder();
      const frames = [];
      for (let at = 0; at < bytes.length; at += step) frames.push(...d.push(bytes.subarray(at, at + step)));
      assert.deepEqual(
        frames.map((f) => [f.type, f.payload.toString('utf8')]),
        [
          [FrameType.stdout, 'hello '],
          [FrameType.stderr, 'wörld'],
          [FrameType.exit, '\0\0\0\0'],
        ],
        `cut every ${step} bytes`,
      );
      assert.equal(d.pending, 0);
    }
  });

  test('bytes that are not frames are refused', () => {
    assert.throws(() => new FrameDecoder().push(Buffer.from('GET / HTTP/1.1\r\n')), FrameProtocolError);
    const huge = Buffer.alloc(5);
    huge.writeUInt8(FrameType.stdin, 0);
    huge.writeUInt32BE(maxFramePayload + 1, 1);
    assert.throws(() => new FrameDecoder().push(huge), /over/);
    assert.throws(() => readExitCode({ type: FrameType.exit, payload: Buffer.alloc(2) }), /4 bytes/);
  });

  test('large data is split into frames under the maximum', () => {
    const data = Buffer.alloc(maxFramePayload * 2 + 10, 7);
    const frames = encodeData(FrameType.stdout, data);
    assert.equal(frames.length, 3);
    const decoded = new FrameDecoder().push(Buffer.concat(frames));
    assert.deepEqual(Buffer.concat(decoded.map((f) => f.payload)), data);
  });
});
