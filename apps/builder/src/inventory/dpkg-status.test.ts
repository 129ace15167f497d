import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDebianCopyright, parseDpkgStatus, parseOsRelease } from './dpkg-status.js';

const status = `Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc (2.36-9+deb12u4)
Version: 2.36-9+deb12u4
Description: GNU C Library
 shared libraries

Package: removed-pkg
Status: deinstall ok config-files
Version: 1.0-1

Package: zlib1g
Status: install ok installed
Source: zlib
Version: 1:1.2.13.dfsg-1
`;

test('dpkg status: installed packages with their source package and version', () => {
  assert.deepEqual(parseDpkgStatus(status), [
    { name: 'libc6', version: '2.36-9+deb12u4', architecture: 'amd64', source: { name: 'glibc', version: '2.36-9+deb12u4' } },
    { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: { name: 'zlib', version: '1:1.2.13.dfsg-1' } },
  ]);
});

test('status.d files (distroless) carry no Status field and count as installed', () => {
  assert.equal(parseDpkgStatus('Package: tzdata\nVersion: 2024a-0+deb12u1\n', false).length, 1);
  assert.equal(parseDpkgStatus('Package: tzdata\nVersion: 2024a-0+deb12u1\n').length, 0);
});

test('garbage is no package', () => {
  assert.deepEqual(parseDpkgStatus('\u0000\u0001 not a status file\n:::\n'), []);
});

test('DEP-5 copyright licences; os-release', () => {
  assert.deepEqual(parseDebianCopyright('Files: *\nLicense: GPL-2+\n\nFiles: x\nLicense: MIT\n text\nLicense: GPL-2+\n'), ['GPL-2+', 'MIT']);
  assert.deepEqual(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'), {
    id: 'debian',
    versionId: '12',
    codename: 'bookworm',
  });
});
