import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainRequestBody } from './drain-body.js';
import { rawExchange, requestHead } from './raw-client.js';
import { eventually } from '@paas/test-kit';

/** A server that drains each request's body with `limits` before answering with what the drain said (also kept in `said`). */
async function withServer(maxBytes: number, run: (port: number, said: boolean[]) => Promise<void>): Promise<void> {
  const said: boolean[] = [];
  const server = http.createServer((req, res) => {
    void drainRequestBody(req, { maxBytes, maxMs: 10_000 }).then((drained) => {
      said.push(drained);
      res.setHeader('connection', 'close');
      res.end(drained ? 'drained' : 'not drained');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run((server.address() as AddressInfo).port, said);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('drainRequestBody: reads an unread body to its end, and refuses to read past its limits', async () => {
  await withServer(100_000, async (port, said) => {
    const post = (length: number, sent: number, end = false) =>
      rawExchange(port, (c) => {
        const bytes = requestHead('POST', '/', { 'content-length': length }) + 'x'.repeat(sent);
        if (end) c.end(bytes);
        else c.write(bytes);
      });
    assert.match((await post(50_000, 50_000)).text, /drained$/);
    assert.match((await post(0, 0)).text, /drained$/, 'no body: nothing to read');
    assert.match((await post(200_000, 0)).text, /not drained$/, 'a declared length over the limit is not read at all');
    await post(50_000, 10, true);
    await eventually(() => said.length >= 4, 'four answers');
    assert.deepEqual(said, [true, true, false, false], 'a client that stops sending and half-closes: not drained');
  });
  await withServer(1_000, async (port) => {
    const chunked = await rawExchange(port, (c) => c.write(requestHead('POST', '/', { 'transfer-encoding': 'chunked' }) + `1388\r\n${'y'.repeat(5_000)}\r\n`));
    assert.match(chunked.text, /not drained$/, 'a chunked body past the byte limit');
  });
});
