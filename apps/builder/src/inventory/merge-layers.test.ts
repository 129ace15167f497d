import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { scanLayer } from './layer-scan.js';
import { mergeLayers } from './merge-layers.js';

function layer(files: Record<string, string>): Readable {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name, mode: 0o644 }, content);
  p.finalize();
  return Readable.from(p);
}

const dpkg = (pkgs: [string, string][]): string => pkgs.map(([n, v]) => `Package: ${n}\nStatus: install ok installed\nVersion: ${v}\n`).join('\n');

test('layers merge lowest first: replaced files, whiteouts and opaque directories, each component naming its layer', async () => {
  const base = await scanLayer(
    layer({
      'var/lib/dpkg/status': dpkg([['libc6', '2.36-9'], ['openssl', '3.0.11-1']]),
      'usr/share/doc/openssl/copyright': 'Format: x\n\nFiles: *\nLicense: Apache-2.0\n',
      'etc/os-release': 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
      'app/node_modules/gone/package.json': '{"name":"gone","version":"1.0.0"}',
      'app/node_modules/old/package.json': '{"name":"old","version":"1.0.0"}',
      'srv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA': 'Name: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n',
    }),
  );
  const top = await scanLayer(
    layer({
      'var/lib/dpkg/status': dpkg([['libc6', '2.36-9+deb12u4'], ['openssl', '3.0.11-1']]),
      'app/node_modules/.wh.gone': '',
      'app/node_modules/old/.wh..wh..opq': '',
      'app/node_modules/lodash/package.json': '{"name":"lodash","version":"4.17.20","license":"MIT"}',
      'app/node_modules/lodash/node_modules/nested/package.json': '{"name":"nested","version":"0.1.0"}',
      'app/package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/lodash': { version: '4.17.20' }, 'node_modules/dev-only': { version: '1.0.0', dev: true }, 'node_modules/pruned': { version: '2.0.0' } } }),
      'app/.heroku/node/include/node/node_version.h': '#define NODE_MAJOR_VERSION 20\n#define NODE_MINOR_VERSION 11\n#define NODE_PATCH_VERSION 1\n',
    }),
  );
  assert.deepEqual(top.whiteouts, ['app/node_modules/gone']);
  const inv = mergeLayers([
    { id: 'sha256:base', findings: base },
    { id: 'sha256:top', findings: top },
  ]);
  const list = inv.components.map((c) => `${c.ecosystem}:${c.name}@${c.version}:${c.layer}`).sort();
  assert.deepEqual(list, [
    'deb:libc6@2.36-9+deb12u4:sha256:top',
    'deb:openssl@3.0.11-1:sha256:top',
    'npm:lodash@4.17.20:sha256:top',
    'npm:nested@0.1.0:sha256:top',
    'npm:pruned@2.0.0:sha256:top',
    'pypi:requests@2.31.0:sha256:base',
    'runtime:node@20.11.1:sha256:top',
  ]);
  assert.deepEqual(inv.components.find((c) => c.name === 'openssl')?.licenses, ['Apache-2.0']);
  assert.equal(inv.components.find((c) => c.name === 'pruned')?.fromLockfile, true);
  assert.deepEqual(inv.os, { id: 'debian', versionId: '12', codename: 'bookworm' });
});

test('a tar that is not one ends the scan with an error, never a hang', async () => {
  await assert.rejects(scanLayer(Readable.from([Buffer.alloc(2048, 7)])));
});
