import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EgressGuard, EgressRefusedError, type EgressGuardOptions, type EgressUse } from './egress-guard.js';

const drains: EgressUse = { field: 'url', schemes: ['https:', 'syslog:', 'syslog+tls:'], credentials: true, rule: 'drain rule' };
const buildpacks: EgressUse = { field: 'updates', schemes: ['https:', 'file:'], rule: 'buildpack rule' };

/** A guard whose resolver and connections are recorded: nothing here touches a network. */
function harness(o: EgressGuardOptions = {}, answers: Record<string, string[]> = {}) {
  const resolved: string[] = [];
  const connects: string[] = [];
  const guard = new EgressGuard({
    ownAddresses: () => ['203.0.113.7', 'fe80::1%eth0'],
    ...o,
    resolve: async (name) => {
      resolved.push(name);
      const a = answers[name];
      if (!a) throw new Error('ENOTFOUND');
      return a;
    },
  });
  /** What a caller does: check, then connect to what was checked. */
  const send = async (raw: string, use = drains): Promise<void> => {
    const checked = await guard.checkUrl(raw, use);
    connects.push(`${checked.host}:${checked.addresses.join(',')}`);
  };
  return { guard, resolved, connects, send };
}

async function refused(send: (raw: string) => Promise<void>, raw: string): Promise<string> {
  try {
    await send(raw);
  } catch (err) {
    assert.ok(err instanceof EgressRefusedError, `${raw}: ${String(err)}`);
    assert.equal(err.status, 422);
    return err.message;
  }
  return assert.fail(`${raw} was accepted`);
}

test('every spelling of loopback, unspecified, link-local, multicast and mapped addresses is refused without resolving or connecting', async () => {
  const h = harness();
  const table: [string, RegExp][] = [
    ['syslog://127.0.0.1:9', /127\.0\.0\.1 is a loopback/],
    ['syslog://127.1:9', /127\.0\.0\.1 is a loopback/],
    ['syslog://0x7f000001:9', /127\.0\.0\.1 is a loopback/],
    ['syslog://2130706433:9', /127\.0\.0\.1 is a loopback/],
    ['syslog://0177.0.0.1:9', /127\.0\.0\.1 is a loopback/],
    ['syslog://0x7f.1:9', /127\.0\.0\.1 is a loopback/],
    ['syslog://127.000.000.001:9', /127\.0\.0\.1 is a loopback/],
    ['syslog://127.0.0.1.:9', /127\.0\.0\.1 is a loopback/],
    ['syslog://[::1]:9', /::1 is a loopback/],
    ['syslog://[0:0:0:0:0:0:0:1]:9', /::1 is a loopback/],
    ['syslog://[::ffff:127.0.0.1]:9', /::ffff:7f00:1 is a loopback/],
    ['syslog://[::ffff:7f00:1]:9', /loopback/],
    ['syslog://[::127.0.0.1]:9', /loopback/],
    ['syslog://[64:ff9b::7f00:1]:9', /loopback/],
    ['syslog://[2002:7f00:1::]:9', /loopback/],
    ['https://[::ffff:169.254.169.254]/', /link-local/],
    ['https://127.1/', /127\.0\.0\.1 is a loopback/],
    ['https://0x7f000001/', /loopback/],
    ['https://2130706433/x', /loopback/],
    ['syslog://localhost:9', /localhost is refused: it names this machine/],
    ['https://LOCALHOST./', /localhost is refused/],
    ['https://app.localhost/', /app\.localhost is refused/],
    ['syslog://0.0.0.0:9', /0\.0\.0\.0 is not a routable/],
    ['syslog://0:9', /0\.0\.0\.0 is not a routable/],
    ['syslog://[::]:9', /:: is not a routable/],
    ['https://169.254.169.254/latest/meta-data', /link-local/],
    ['https://[fe80::1]/', /link-local/],
    ['syslog://224.0.0.1:9', /multicast/],
    ['syslog://[ff02::1]:9', /multicast/],
    ['syslog://255.255.255.255:9', /reserved/],
    ['syslog://10.0.0.5:514', /private network/],
    ['syslog://172.16.0.1:514', /private network/],
    ['syslog://192.168.1.2:514', /private network/],
    ['syslog://[fd00::1]:514', /private network/],
    ['syslog://100.64.0.1:514', /private network/],
    ['syslog://203.0.113.7:514', /one of the platform's own addresses/],
    ['syslog://1.2.3.999:9', /not a valid address/],
  ];
  for (const [raw, reason] of table) assert.match(await refused(h.send, raw), reason, raw);
  assert.deepEqual(h.resolved, [], 'no literal address went to the resolver');
  assert.deepEqual(h.connects, [], 'nothing was connected to');
});

test('names are resolved and every address they resolve to is checked', async () => {
  const h = harness({}, {
    'logs.example.com': ['198.51.100.10'],
    'meta.example.com': ['169.254.169.254'],
    'mixed.example.com': ['198.51.100.10', '127.0.0.1'],
    'mapped.example.com': ['::ffff:10.1.2.3'],
  });
  await h.send('syslog+tls://logs.example.com:6514');
  assert.match(await refused(h.send, 'https://meta.example.com/'), /meta\.example\.com is refused: it resolves to 169\.254\.169\.254, a link-local address/);
  assert.match(await refused(h.send, 'https://mixed.example.com/'), /resolves to 127\.0\.0\.1, a loopback address/);
  assert.match(await refused(h.send, 'https://mapped.example.com/'), /private network/);
  assert.match(await refused(h.send, 'https://nowhere.example.com/'), /does not resolve/);
  assert.deepEqual(h.connects, ['logs.example.com:198.51.100.10']);
  assert.deepEqual(h.resolved, ['logs.example.com', 'meta.example.com', 'mixed.example.com', 'mapped.example.com', 'nowhere.example.com']);
});

test('operator settings: loopback and private networks only when allowed; the platform itself never', async () => {
  const h = harness({ allowLoopback: true, allowPrivate: true, deny: ['10.9.0.0/16'] }, { localhost: ['127.0.0.1', '::1'] });
  await h.send('syslog://127.0.0.1:9');
  await h.send('syslog://localhost:9');
  await h.send('syslog://10.0.0.5:514');
  assert.match(await refused(h.send, 'syslog://10.9.3.4:514'), /platform's own/);
  assert.match(await refused(h.send, 'syslog://203.0.113.7:514'), /platform's own/);
  assert.match(await refused(h.send, 'syslog://169.254.169.254:514'), /link-local/);
  assert.match(await refused(h.send, 'syslog://0.0.0.0:514'), /not a routable/);
  assert.equal(h.connects.length, 3);
});

test('schemes are allow-listed per use; plain http, credentials and file: are refused with the rule', async () => {
  const h = harness({}, { 'example.com': ['198.51.100.1'] });
  const bp = (raw: string) => h.send(raw, buildpacks);
  assert.match(await refused(bp, 'http://example.com/bp.tgz'), /plain http:\/\/ is not allowed.*\(buildpack rule\)/);
  assert.match(await refused(bp, 'git://example.com/bp.git'), /the scheme git is not allowed/);
  assert.match(await refused(bp, 'https://user:token@example.com/bp.git'), /must not carry a user name or password/);
  assert.match(await refused(bp, 'file:///etc/passwd'), /file: URLs .* not allowed/);
  assert.match(await refused(bp, 'https://example.com/\0'), /control characters/);
  assert.match(await refused(h.send, 'ftp://example.com/'), /scheme ftp/);
  await bp('https://example.com/bp.git');
  const withFiles = harness({ allowFileUrls: true });
  await withFiles.send('file:///srv/bp', buildpacks);
  assert.deepEqual(withFiles.resolved, []);
});

test('connect-time lookup refuses a name that re-resolves to loopback (DNS rebinding)', async () => {
  let answer = ['198.51.100.10'];
  const calls: string[] = [];
  const guard = new EgressGuard({ ownAddresses: () => [], resolve: async (n) => (calls.push(n), answer) });
  await guard.checkUrl('https://rebind.example.com/', drains);
  answer = ['127.0.0.1'];
  const result = await new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
    guard.lookup('rebind.example.com', { all: true }, (err, address) => resolve({ err, address })),
  );
  assert.equal(result.err?.code, 'EGRESS_REFUSED');
  assert.match(result.err!.message, /refused: rebind\.example\.com is refused: it resolves to 127\.0\.0\.1, a loopback address/);
  answer = ['198.51.100.10', '2001:db8::5'];
  const ok = await new Promise<unknown>((resolve, reject) => guard.lookup('rebind.example.com', { all: true }, (err, address) => (err ? reject(err) : resolve(address))));
  assert.deepEqual(ok, [
    { address: '198.51.100.10', family: 4 },
    { address: '2001:db8::5', family: 6 },
  ]);
  const v6 = await new Promise<unknown>((resolve, reject) => guard.lookup('rebind.example.com', { family: 6 }, (err, address) => (err ? reject(err) : resolve(address))));
  assert.equal(v6, '2001:db8::5');
  assert.deepEqual(calls, ['rebind.example.com', 'rebind.example.com', 'rebind.example.com', 'rebind.example.com']);
});
