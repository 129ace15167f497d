import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { MemoryRouteStore } from '@paas/shared';
import { appRoute, backend } from './test-support.js';
import { echoUpgradeBackend, startBackend, startRouter } from './test-http.js';
import { freePort } from '@paas/test-kit';

/** Sends an Upgrade request on a raw socket; resolves with the response head and the open socket. */
function upgrade(port: number, host: string, extra = ''): Promise<{ head: string; socket: net.Socket; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', function onData(data: Buffer) {
      buffered = Buffer.concat([buffered, data]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      resolve({ head: buffered.subarray(0, end).toString(), socket, rest: buffered.subarray(end + 4) });
    });
    socket.write(`GET /chat HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: echo\r\n${extra}\r\n`);
  });
}

function readAtLeast(socket: net.Socket, n: number, already: Buffer = Buffer.alloc(0)): Promise<string> {
  return new Promise((resolve) => {
    let buffered = already;
    if (buffered.length >= n) return resolve(buffered.toString());
    const onData = (d: Buffer): void => {
      buffered = Buffer.concat([buffered, d]);
      if (buffered.length >= n) {
        socket.off('data', onData);
        resolve(buffered.toString());
      }
    };
    socket.on('data', onData);
  });
}

test('an Upgrade request is tunnelled: 101, then bytes flow both ways', { timeout: 20_000 }, async () => {
  const echo = await echoUpgradeBackend();
  const store = new MemoryRouteStore();
  await store.set(appRoute('chat', ['chat.localhost'], [backend(echo.port)]));
  const router = await startRouter(store);
  try {
    const { head, socket, rest } = await upgrade(router.port, 'chat.localhost', 'X-Request-Id: upgrade-request-id-0123456789\r\n');
    assert.match(head, /^HTTP\/1\.1 101 /);
    assert.match(head, /\r\nUpgrade: echo/i);
    assert.match(head, /\r\nX-Backend: raw/);
    assert.match(head, /\r\nX-Request-Id: upgrade-request-id-0123456789/i);
    socket.write('ping 1');
    assert.equal(await readAtLeast(socket, 6, rest), 'ping 1');
    socket.write('and again');
    assert.equal(await readAtLeast(socket, 9), 'and again');
    socket.destroy();

    const seen = echo.heads[0] ?? '';
    assert.match(seen, /^GET \/chat HTTP\/1\.1/);
    assert.match(seen, /\r\nhost: chat\.localhost/i);
    assert.match(seen, /\r\nconnection: upgrade/i);
    assert.match(seen, /\r\nupgrade: echo/i);
    assert.match(seen, /\r\nx-forwarded-for: 127\.0\.0\.1/i);
  } finally {
    await router.close();
    await echo.close();
  }
});

test('an Upgrade is retried on another backend when one refuses the connection', { timeout: 20_000 }, async () => {
  const echo = await echoUpgradeBackend();
  const store = new MemoryRouteStore();
  await store.set(appRoute('chat', ['chat.localhost'], [backend(await freePort(), 1), backend(echo.port, 2)]));
  const router = await startRouter(store);
  try {
    for (let i = 0; i < 2; i++) {
      const { head, socket } = await upgrade(router.port, 'chat.localhost');
      assert.match(head, /^HTTP\/1\.1 101 /);
      socket.destroy();
    }
  } finally {
    await router.close();
    await echo.close();
  }
});

test('a backend that declines the Upgrade has its answer relayed; unknown hosts get the 404 page', { timeout: 20_000 }, async () => {
  const plain = await startBackend('plain', (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('upgrade refused');
  });
  const store = new MemoryRouteStore();
  await store.set(appRoute('plain', ['plain.localhost'], [backend(plain.port)]));
  const router = await startRouter(store);
  try {
    const declined = await upgrade(router.port, 'plain.localhost');
    assert.match(declined.head, /^HTTP\/1\.1 426 /);
    const body = await new Promise<string>((resolve) => {
      let text = declined.rest.toString();
      declined.socket.on('data', (d: Buffer) => (text += d.toString()));
      declined.socket.on('end', () => resolve(text));
    });
    assert.equal(body, 'upgrade refused');

    const unknown = await upgrade(router.port, 'nobody.localhost');
    assert.match(unknown.head, /^HTTP\/1\.1 404 /);
    assert.match(unknown.head, /x-request-id: /i);
    unknown.socket.destroy();
  } finally {
    await router.close();
    await plain.close();
  }
});
