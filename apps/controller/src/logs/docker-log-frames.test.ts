import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerLogFrameParser, sinceSeconds } from './docker-log-frames.js';

function frame(stream: number, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

test('reads frames split anywhere across chunks', () => {
  const all = Buffer.concat([frame(1, '2026-11-25T17:58:29.484095913Z hello\n'), frame(2, '2026-11-25T17:58:29.500000000Z oops')]);
  const p = new DockerLogFrameParser();
  const frames = [];
  for (let i = 0; i < all.length; i += 5) frames.push(...p.push(all.subarray(i, i + 5)));
  assert.deepEqual(
    frames.map((f) => [f.stream, f.ts, f.content.toString()]),
    [
      ['stdout', '2026-11-25T17:58:29.484095913Z', 'hello\n'],
      ['stderr', '2026-11-25T17:58:29.500000000Z', 'oops'],
    ],
  );
});

test('since is whole seconds, so resuming re-reads at most a second that the cursor then skips', () => {
  assert.equal(sinceSeconds('2026-11-25T17:58:29.984095913Z'), Math.floor(Date.parse('2026-11-25T17:58:29Z') / 1000));
});
