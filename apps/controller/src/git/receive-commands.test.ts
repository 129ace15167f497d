// The reader of git-receive-pack's command list: what it accepts, what it refuses, and that its work
// grows linearly with its input (node-git-server's regex took ~3.7 s on 64 KB of hex characters).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ReceiveCommandReader, type CommandsResult } from './receive-commands.js';

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const zero = '0'.repeat(40);

function pkt(text: string): string {
  return (Buffer.byteLength(text) + 4).toString(16).padStart(4, '0') + text;
}

function readAll(body: Buffer, chunkSize = body.length): CommandsResult {
  const reader = new ReceiveCommandReader({ maxBytes: 4 * 1024 * 1024, maxCommands: 100_000 });
  let result: CommandsResult = { state: 'more' };
  for (let i = 0; i < body.length && result.state === 'more'; i += chunkSize) result = reader.push(body.subarray(i, i + chunkSize));
  return result;
}

describe('receive-pack command list', () => {
  test('reads the commands (capabilities after NUL, shallow lines skipped) and the bytes after the flush', () => {
    const body = Buffer.from(
      pkt(`shallow ${a}\n`) + pkt(`${zero} ${a} refs/heads/main\0report-status side-band-64k\n`) + pkt(`${a} ${b} refs/tags/v1\n`) + '0000PACKxyz',
    );
    for (const chunk of [body.length, 7, 1]) {
      const result = readAll(body, chunk);
      assert.equal(result.state, 'done', `chunks of ${chunk}`);
      if (result.state !== 'done') return;
      assert.deepEqual(result.commands, [
        { old: zero, new: a, ref: 'refs/heads/main' },
        { old: a, new: b, ref: 'refs/tags/v1' },
      ]);
      if (chunk === body.length) assert.equal(result.rest.toString(), 'PACKxyz');
    }
  });

  test('refuses what is not a push command list', () => {
    const cases: Array<[string, Buffer]> = [
      ['hex characters (the quadratic-regex body)', Buffer.from('abcdef0123456789'.repeat(4096))],
      ['not a length', Buffer.from('zzzz')],
      ['a length below 5', Buffer.from('0003')],
      ['two words', Buffer.from(pkt(`${a} refs/heads/main\n`))],
      ['a short object id', Buffer.from(pkt(`${zero} abc refs/heads/main\n`))],
      ['a ref outside refs/', Buffer.from(pkt(`${zero} ${a} HEAD\n`))],
      ['a control character in the ref', Buffer.from(pkt(`${zero} ${a} refs/heads/m\x01\n`))],
    ];
    for (const [what, body] of cases) assert.equal(readAll(body).state, 'invalid', what);
  });

  test('is bounded: too many bytes or commands are refused before the flush', () => {
    const line = pkt(`${zero} ${a} refs/heads/x\n`);
    const small = new ReceiveCommandReader({ maxBytes: 1000, maxCommands: 3 });
    assert.deepEqual(small.push(Buffer.from(line.repeat(4))), { state: 'invalid', reason: 'a push may update at most 3 refs' });
    const tight = new ReceiveCommandReader({ maxBytes: 100, maxCommands: 100 });
    assert.equal(tight.push(Buffer.from(line.repeat(2))).state, 'invalid');
    // Bytes that never make a whole packet count too.
    const open = new ReceiveCommandReader({ maxBytes: 100, maxCommands: 100 });
    assert.equal(open.push(Buffer.from('fff0' + 'x'.repeat(200))).state, 'invalid');
  });

  test("finding: the receive-pack header parse was quadratic; the reader's time grows linearly (16x input, far below 256x time)", () => {
    const line = pkt(`${zero} ${a} refs/heads/branch-name\n`);
    const body = (bytes: number) => Buffer.from(line.repeat(Math.ceil(bytes / line.length)) + '0000');
    const small = body(16 * 1024);
    const large = body(256 * 1024);
    // The CPU time this process spent (not the wall clock, which other processes on a busy machine
    // stretch), the least of several runs: the parse is synchronous, so that is the parse's own work.
    const fastest = (input: Buffer, chunk: number): number => {
      let best = Infinity;
      for (let i = 0; i < 7; i++) {
        const start = process.cpuUsage();
        assert.equal(readAll(input, chunk).state, 'done');
        const used = process.cpuUsage(start);
        best = Math.min(best, used.user + used.system);
      }
      return Math.max(best, 1);
    };
    for (const chunk of [1 << 30, 1024, 1]) {
      fastest(small, chunk); // warm up
      const ratio = fastest(large, chunk) / fastest(small, chunk);
      // Linear work gives about 16; quadratic work would give about 256.
      assert.ok(ratio < 64, `chunks of ${chunk}: 16x the input took ${ratio.toFixed(1)}x the time`);
    }
  });
});
