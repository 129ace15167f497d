import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOsRelease, daemonJsonWithoutTls, daemonJsonWithTls } from './engine-config.js';

test('os-release: Debian, Ubuntu and their derivatives pass; others are refused with the reason', () => {
  assert.deepEqual(checkOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'), { ok: true, name: 'Debian GNU/Linux 12 (bookworm)' });
  assert.equal(checkOsRelease('ID=ubuntu\nPRETTY_NAME="Ubuntu 24.04 LTS"').ok, true);
  assert.equal(checkOsRelease('ID=linuxmint\nID_LIKE="ubuntu debian"').ok, true);
  const fedora = checkOsRelease('ID=fedora\nPRETTY_NAME="Fedora Linux 40"');
  assert.equal(fedora.ok, false);
  assert.match(fedora.reason!, /Fedora Linux 40 is not supported: paas provisions Debian and Ubuntu/);
  assert.match(checkOsRelease('').reason!, /missing or names no ID/);
  // hostile text: control characters and escapes are not passed on
  const hostile = checkOsRelease('ID=evil\nPRETTY_NAME="\u001b[31mred\u0007"');
  assert.doesNotMatch(hostile.reason!, /[\u0000-\u001f]/);
});

test('daemon.json: the TLS listener is merged into a good file and replaces a broken one', () => {
  const merged = daemonJsonWithTls('{"storage-driver":"overlay2","hosts":["fd://"]}');
  assert.equal(merged.repaired, false);
  const m = JSON.parse(merged.json) as Record<string, unknown>;
  assert.equal(m['storage-driver'], 'overlay2');
  assert.deepEqual(m['hosts'], ['unix:///var/run/docker.sock', 'tcp://0.0.0.0:2376']);
  assert.equal(m['tlsverify'], true);
  for (const broken of ['{ not json', '[1,2]', 'null']) {
    const r = daemonJsonWithTls(broken);
    assert.equal(r.repaired, true, broken);
    assert.equal((JSON.parse(r.json) as Record<string, unknown>)['tlsverify'], true);
  }
  assert.equal(daemonJsonWithTls(undefined).repaired, false);
  const removed = JSON.parse(daemonJsonWithoutTls(merged.json)) as Record<string, unknown>;
  assert.deepEqual(removed, { 'storage-driver': 'overlay2' });
});
