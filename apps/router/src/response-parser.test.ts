import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseParser } from './response-parser.js';

interface Seen {
  heads: [number, string, string[], boolean][];
  bodies: string[];
  complete: number;
}

/** Feeds `bytes` in the pieces given (split points), answering HEAD for the `heads` responses. */
function parse(bytes: string, splits: number[] = [], heads: boolean[] = []): Seen & { error?: Error; finished?: Error } {
  const seen: Seen = { heads: [], bodies: [], complete: 0 };
  let body = '';
  const parser = new ResponseParser(
    {
      onHead: (status, message, fields, _upgrade, keepAlive) => {
        seen.heads.push([status, message, fields, keepAlive]);
        return heads[seen.heads.length - 1] ?? false;
      },
      onBody: (chunk) => {
        body += chunk.toString('latin1');
      },
      onComplete: () => {
        seen.complete++;
        seen.bodies.push(body);
        body = '';
      },
    },
    1024,
  );
  const buf = Buffer.from(bytes, 'latin1');
  const points = [0, ...splits.filter((p) => p > 0 && p < buf.length).sort((a, b) => a - b), buf.length];
  for (let i = 0; i + 1 < points.length; i++) {
    const error = parser.execute(buf.subarray(points[i], points[i + 1]));
    if (error) return { ...seen, error };
  }
  return { ...seen, finished: parser.finish() };
}

const sample =
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: one\r\n\r\nhello' +
  'HTTP/1.1 201 Made\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n' +
  'HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n' +
  'HTTP/1.1 204 No Content\r\n\r\n' +
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' +
  'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end';

test('responses of every framing, back to back, whole or split anywhere, parse the same', () => {
  const whole = parse(sample);
  assert.equal(whole.error, undefined);
  assert.equal(whole.finished, undefined);
  assert.deepEqual(whole.bodies, ['hello', 'hello world', '', '', '', 'until the end']);
  assert.deepEqual(
    whole.heads.map(([status, message, , keepAlive]) => [status, message, keepAlive]),
    [
      [200, 'OK', true],
      [201, 'Made', true],
      [103, 'Early Hints', true],
      [204, 'No Content', true],
      [200, 'OK', true],
      [200, 'OK', false],
    ],
  );
  assert.deepEqual(whole.heads[0]![2], ['Content-Length', '5', 'X-A', 'one']);
  // Every single split point, and every byte on its own.
  for (let at = 1; at < sample.length; at++) assert.deepEqual(parse(sample, [at]), whole, `split at ${at}`);
  assert.deepEqual(
    parse(
      sample,
      Array.from({ length: sample.length }, (_, i) => i),
    ),
    whole,
  );
});

test('the answer to HEAD has no body whatever its Content-Length; a cut body is an error at the end', () => {
  const head = parse('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', [], [true, false]);
  assert.deepEqual(head.bodies, ['', 'ok']);
  const cut = parse('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part');
  assert.equal(cut.complete, 0);
  assert.equal((cut.finished as NodeJS.ErrnoException).code, 'HPE_INVALID_EOF_STATE');
  assert.equal(parse('').finished, undefined, 'a connection closed between responses is no error');
});

test('hostile responses are refused with a code: never a crash, never a second framing', () => {
  const refused: [string, string][] = [
    ['NOT HTTP AT ALL\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['HTTP/1.1 099 Odd\r\n\r\n', 'HPE_INVALID_STATUS'],
    ['HTTP/2 200 OK\r\n\r\n', 'HPE_INVALID_CONSTANT'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', 'HPE_UNEXPECTED_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n', 'HPE_INVALID_CONTENT_LENGTH'],
    ['HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\n folded: x\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000\r\n', 'HPE_INVALID_CHUNK_SIZE'],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY', 'HPE_STRICT'],
    [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(2000)}\r\n\r\n`, 'HPE_HEADER_OVERFLOW'],
    [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(2000)}`, 'HPE_HEADER_OVERFLOW'],
    [`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1${';x'.repeat(600)}`, 'HPE_INVALID_CHUNK_SIZE'],
  ];
  for (const [bytes, code] of refused) {
    for (const splits of [[], [7], Array.from({ length: bytes.length }, (_, i) => i)]) {
      const seen = parse(bytes, splits);
      assert.equal((seen.error as NodeJS.ErrnoException | undefined)?.code, code, `${JSON.stringify(bytes.slice(0, 60))} split ${splits.length}`);
    }
  }
});

test('a head sent a byte at a time up to the limit costs linear time', () => {
  const parser = new ResponseParser({ onHead: () => false, onBody: () => {}, onComplete: () => {} }, 64 * 1024);
  const started = process.cpuUsage();
  const byte = Buffer.from('a');
  assert.equal(parser.execute(Buffer.from('HTTP/1.1 200 OK\r\nX-Long: ')), undefined);
  for (let i = 0; i < 60_000; i++) assert.equal(parser.execute(byte), undefined);
  const used = process.cpuUsage(started);
  // Quadratic joining would copy ~1.8 GB here; linear work is a few ms. Not a timing assertion on the
  // machine's speed: a bound two orders of magnitude above the linear cost.
  assert.ok(used.user + used.system < 5_000_000, `${(used.user + used.system) / 1000} ms of CPU`);
  // Runs of blanks inside values (what a backtracking trim would take quadratic time over).
  const blanks = new ResponseParser({ onHead: () => false, onBody: () => {}, onComplete: () => {} }, 64 * 1024);
  const spaced = Buffer.from(`HTTP/1.1 200 OK\r\n${Array.from({ length: 4 }, (_, i) => `X-${i}: ${' \t'.repeat(7000)}x`).join('\r\n')}\r\nContent-Length: 0\r\n\r\n`);
  const before = process.cpuUsage();
  for (let i = 0; i < 20; i++) assert.equal(blanks.execute(spaced), undefined);
  const spent = process.cpuUsage(before);
  assert.ok(spent.user + spent.system < 5_000_000, `${(spent.user + spent.system) / 1000} ms of CPU`);
});
