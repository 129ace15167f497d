import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, connect, type TLSSocket } from 'node:tls';
import { createCa, PlatformCa } from './platform-ca.js';

test('a server and a client certificate from the CA make a mutually authenticated TLS connection', async () => {
  const ca = new PlatformCa(await createCa('paas test CA'));
  const server = await ca.issueServer(['127.0.0.1', 'node-2.example']);
  const client = await ca.issueClient('paas controller');
  const x = new X509Certificate(server.cert);
  assert.match(x.subjectAltName ?? '', /IP Address:127\.0\.0\.1, DNS:node-2\.example/);
  assert.ok(ca.issued(server.cert) && ca.issued(client.cert));
  assert.equal(x.ca, false);
  assert.equal(new X509Certificate(ca.cert).ca, true);

  const tls = createServer({ cert: server.cert, key: server.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true }, (s) => s.end('hello'));
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  const port = (tls.address() as { port: number }).port;
  try {
    const answer = await new Promise<string>((resolve, reject) => {
      const s: TLSSocket = connect({ host: '127.0.0.1', port, ca: ca.cert, cert: client.cert, key: client.key }, () => undefined);
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString()));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    assert.equal(answer, 'hello');
    // a client certificate from another CA is refused by the server
    const other = new PlatformCa(await createCa('someone else'));
    const stranger = await other.issueClient('stranger');
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, ca: ca.cert, cert: stranger.cert, key: stranger.key });
        s.on('data', resolve);
        s.on('end', () => reject(new Error('closed')));
        s.on('error', reject);
      }),
    );
    assert.equal(ca.issued(stranger.cert), false);
    assert.equal(ca.issued('not a certificate'), false);
  } finally {
    tls.close();
  }
});
