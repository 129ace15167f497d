// Issue 23, git over HTTP: broken gzip, corrupt packs, bodies that are not git requests, clients that
// go away, and the body that made node-git-server's header regex quadratic, on raw sockets against the
// controller's real HTTP server. After each, the controller answers a health check from this same
// process and nothing went unhandled.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { rawExchange, requestHead } from './raw-client.js';
import { startHostileServer, type HostileServer } from './hostile-test-server.js';

const zeroId = '0'.repeat(40);

function pkt(text: string): string {
  return (Buffer.byteLength(text) + 4).toString(16).padStart(4, '0') + text;
}

/** A valid push command for `ref` (a new branch), flush packet included. */
function pushCommand(ref = 'refs/heads/feature'): Buffer {
  return Buffer.from(pkt(`${zeroId} ${randomBytes(20).toString('hex')} ${ref}\0report-status side-band-64k\n`) + '0000');
}

describe('git over HTTP survives hostile requests', () => {
  let s: HostileServer;
  const pid = process.pid;
  let auth: string;

  before(async () => {
    s = await startHostileServer();
    auth = `Basic ${Buffer.from(`paas:${s.token}`).toString('base64')}`;
  });
  after(async () => s.close());
  afterEach(async () => {
    assert.equal(await s.health(), 200, 'the controller answers its health check');
    assert.equal(process.pid, pid);
    assert.deepEqual(s.crashes, [], 'nothing went unhandled');
    assert.equal(await s.gitLeftBehind(), 0, 'no git process left waiting on a client that is gone');
  });

  const post = (service: string, body: Buffer, headers: Record<string, string | number> = {}) =>
    rawExchange(s.port, (c) => {
      c.write(
        requestHead('POST', `/shop.git/git-${service}`, {
          authorization: auth,
          'content-type': `application/x-git-${service}-request`,
          'content-length': body.length,
          connection: 'close',
          ...headers,
        }),
      );
      // Not half-closed: node's server drops the answer of a client that half-closes.
      c.write(body);
    });

  for (const service of ['upload-pack', 'receive-pack']) {
    test(`finding: a truncated gzip body on git-${service} was an unhandled zlib error; now 400`, async () => {
      const whole = gzipSync(Buffer.concat([pushCommand(), randomBytes(4096)]));
      const answer = await post(service, whole.subarray(0, Math.floor(whole.length / 2)), { 'content-encoding': 'gzip' });
      assert.equal(answer.status, 400, answer.text);
      assert.match(answer.text, /could not be read/);
    });

    test(`finding: a corrupt gzip body on git-${service} was an unhandled zlib error; now 400`, async () => {
      const body = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), randomBytes(2048)]);
      const answer = await post(service, body, { 'content-encoding': 'gzip' });
      assert.equal(answer.status, 400, answer.text);
    });
  }

  test('finding: a corrupt 2 MB pack after a valid push command was an unhandled write EPIPE', async () => {
    const pack = Buffer.concat([Buffer.from('PACK'), Buffer.from([0, 0, 0, 2, 0, 0, 0x10, 0]), randomBytes(2 * 1024 * 1024)]);
    const answer = await post('receive-pack', Buffer.concat([pushCommand(), pack]));
    // git's own answer: the unpack failed and the ref was not updated (or the connection closed).
    if (answer.status !== undefined) {
      assert.equal(answer.status, 200, answer.text.slice(0, 300));
      assert.match(answer.text, /unpack/);
    }
    const refs = await fetch(`http://127.0.0.1:${s.port}/shop.git/info/refs?service=git-upload-pack`, { headers: { authorization: auth } });
    assert.doesNotMatch(await refs.text(), /refs\/heads\/feature/, 'the corrupt push updated no ref');
  });

  test("finding: node-git-server's receive-pack header regex was quadratic on 64 KB of hex; now a prompt 400", async () => {
    const hex = Buffer.from('abcdef0123456789'.repeat(4096));
    const answer = await post('receive-pack', hex);
    assert.equal(answer.status, 400, answer.text);
    assert.match(answer.text, /not a git/);
  });

  test('finding: a git POST whose body is not a git request was never answered; now 400, or 408 at the deadline', async () => {
    const junk = await post('receive-pack', Buffer.from('hello, this is not git\n'));
    assert.equal(junk.status, 400, junk.text);
    // An unfinished command list, the connection left open: answered at the commands deadline.
    const waiting = await rawExchange(s.port, (c) =>
      c.write(
        requestHead('POST', '/shop.git/git-receive-pack', {
          authorization: auth,
          'content-type': 'application/x-git-receive-pack-request',
          'transfer-encoding': 'chunked',
        }) + '4\r\n0063\r\n',
      ),
    );
    assert.ok(waiting.status === 408, waiting.text);
    // An upload-pack request body that stops coming: cut off by the body deadline.
    const stalled = await rawExchange(s.port, (c) =>
      c.write(
        requestHead('POST', '/shop.git/git-upload-pack', {
          authorization: auth,
          'content-type': 'application/x-git-upload-pack-request',
          'content-length': 1000,
        }) + `${pkt(`want ${randomBytes(20).toString('hex')}\n`)}`,
      ),
    );
    assert.ok(stalled.status === undefined || stalled.status === 408 || stalled.status === 200, stalled.text);
  });

  test("finding: a git client that goes away mid-body was an unhandled 'aborted'", async () => {
    for (const service of ['upload-pack', 'receive-pack']) {
      const first = service === 'receive-pack' ? Buffer.concat([pushCommand(), Buffer.from('PACK')]) : Buffer.from(pkt(`want ${zeroId}\n`));
      await rawExchange(s.port, (c) => {
        c.write(
          requestHead('POST', `/shop.git/git-${service}`, {
            authorization: auth,
            'content-type': `application/x-git-${service}-request`,
            'content-length': 100_000,
          }),
        );
        c.write(first, () => setTimeout(() => c.resetAndDestroy(), 50));
      });
      // A gzip body cut off by a reset.
      await rawExchange(s.port, (c) => {
        c.write(
          requestHead('POST', `/shop.git/git-${service}`, {
            authorization: auth,
            'content-type': `application/x-git-${service}-request`,
            'content-encoding': 'gzip',
            'content-length': 100_000,
          }),
        );
        c.write(gzipSync(first).subarray(0, 20), () => setTimeout(() => c.resetAndDestroy(), 50));
      });
    }
  });

  test('finding: other encodings and content types are refused before git starts', async () => {
    assert.equal((await post('upload-pack', Buffer.from('0000'), { 'content-encoding': 'br' })).status, 415);
    assert.equal((await post('upload-pack', Buffer.from('0000'), { 'content-type': 'text/plain' })).status, 415);
  });
});
