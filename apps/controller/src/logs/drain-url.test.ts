import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { AppError, EgressGuard } from '@paas/shared';
import { transportFor } from './drain-transports.js';
import { displayDrainUrl, parseDrainUrl } from './drain-url.js';

function refusal(raw: string): string {
  try {
    parseDrainUrl(raw);
  } catch (err) {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'invalid_params');
    assert.equal(err.status, 422);
    return err.message;
  }
  assert.fail(`${raw} was accepted`);
}

test('accepts https and syslog drains', () => {
  assert.deepEqual(parseDrainUrl('syslog+tls://logs.example.com:6514'), { kind: 'syslog', tls: true, host: 'logs.example.com', port: 6514 });
  assert.deepEqual(parseDrainUrl('syslog://10.0.0.5:514/'), { kind: 'syslog', tls: false, host: '10.0.0.5', port: 514 });
  assert.deepEqual(parseDrainUrl('syslog://[::1]:514'), { kind: 'syslog', tls: false, host: '::1', port: 514 });
  const https = parseDrainUrl('https://user:pw@logs.example.com/drain?x=1');
  assert.equal(https.kind, 'https');
});

test('refuses malformed URLs and unsupported schemes, naming the rule', () => {
  for (const [raw, reason] of [
    ['not a url', /must not contain spaces/],
    ['logs.example.com:514', /scheme logs\.example\.com is not supported/],
    ['::::', /is not a URL/],
    ['ftp://logs.example.com/', /scheme ftp is not supported/],
    ['http://logs.example.com/', /plain http/],
    ['syslog://logs.example.com', /needs a port/],
    ['syslog://logs.example.com:514/path', /no path/],
    ['syslog+tls://u:p@logs.example.com:6514', /no user/],
    ['https://logs.example.com/#x', /fragment/],
    ['', /is required/],
    [`https://logs.example.com/${'a'.repeat(3000)}`, /longer than/],
  ] as const) {
    const message = refusal(raw);
    assert.match(message, reason, raw);
    assert.match(message, /drain URLs are https:\/\/host\/path, syslog\+tls:\/\/host:port or syslog:\/\/host:port/);
  }
});

test('passwords are masked when shown', () => {
  assert.equal(displayDrainUrl('https://user:secret@logs.example.com/x'), 'https://user:***@logs.example.com/x');
});

test('a drain transport checks its target before connecting, and again at connect time', async () => {
  // A receiver on loopback counts connections: none may reach it through a refused drain.
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const resolved: string[] = [];
  const guard = new EgressGuard({ ownAddresses: () => [], resolve: async (n) => (resolved.push(n), ['127.0.0.1']) });
  try {
    for (const [url, reason] of [
      [`syslog://127.0.0.1:${port}`, /refused: 127\.0\.0\.1 is a loopback address/],
      [`syslog://127.1:${port}`, /loopback address/],
      [`syslog://0x7f000001:${port}`, /loopback address/],
      [`syslog://2130706433:${port}`, /loopback address/],
      [`syslog://[::ffff:127.0.0.1]:${port}`, /loopback address/],
      [`syslog://localhost:${port}`, /localhost is refused: it names this machine/],
      [`syslog://rebind.example.com:${port}`, /rebind\.example\.com is refused: it resolves to 127\.0\.0\.1, a loopback address/],
      [`https://rebind.example.com:${port}/`, /rebind\.example\.com is refused/],
    ] as const) {
      const t = transportFor(parseDrainUrl(url), { token: 'd.x', timeoutMs: 500, guard });
      await assert.rejects(t.send(['x'], 'f'), reason, url);
      t.close();
    }
    assert.deepEqual(resolved, ['rebind.example.com', 'rebind.example.com']);
    assert.equal(connections, 0, 'nothing reached the receiver');
    // DNS rebinding: public when checked, loopback when the socket looks it up. The socket's lookup is the guard's.
    for (const url of [`syslog://flip.example.com:${port}`, `syslog+tls://flip.example.com:${port}`, `https://flip.example.com:${port}/`]) {
      let calls = 0;
      const flipping = new EgressGuard({ ownAddresses: () => [], resolve: async () => (calls++ === 0 ? ['198.51.100.10'] : ['127.0.0.1']) });
      const t = transportFor(parseDrainUrl(url), { token: 'd.x', timeoutMs: 500, guard: flipping });
      await assert.rejects(t.send(['x'], 'f'), /refused: flip\.example\.com is refused: it resolves to 127\.0\.0\.1/, url);
      t.close();
      assert.equal(calls, 2, `${url}: checked, then looked up again at connect time`);
    }
    assert.equal(connections, 0, 'nothing reached the receiver');
    // Allowed by the operator (tests): the same receiver is reached.
    const open = transportFor(parseDrainUrl(`syslog://127.0.0.1:${port}`), { token: 'd.x', timeoutMs: 500, guard: new EgressGuard({ allowLoopback: true }) });
    await open.send(['x'], 'f').catch(() => undefined);
    open.close();
    assert.equal(connections, 1);
  } finally {
    server.close();
  }
});
