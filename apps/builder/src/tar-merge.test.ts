import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import { mergeTars } from './tar-merge.js';

function tarOf(entries: { name: string; type?: 'file' | 'directory' | 'symlink'; content?: string; linkname?: string }[]): Readable {
  const p = pack();
  for (const e of entries) {
    if (e.type === 'directory') p.entry({ name: e.name, type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    else if (e.type === 'symlink') p.entry({ name: e.name, type: 'symlink', linkname: e.linkname, uid: 0, gid: 0 });
    else p.entry({ name: e.name, mode: 0o755, uid: 0, gid: 0 }, e.content ?? '');
  }
  p.finalize();
  return Readable.from(p);
}

async function list(tar: Readable): Promise<string[]> {
  const out: string[] = [];
  const ex = extract();
  ex.on('entry', (h, s, next) => {
    let body = '';
    s.on('data', (c: unknown) => (body += String(c)));
    s.on('end', () => {
      out.push(`${h.type} ${h.name} ${h.uid}:${h.gid}${h.linkname ? ` -> ${h.linkname}` : ''}${body ? ` "${body}"` : ''}`);
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    tar.on('error', reject);
    tar.pipe(ex);
  });
  return out;
}

test('tars are moved under their prefixes and owned as asked, between the entries given', async () => {
  const source = tarOf([{ name: './', type: 'directory' }, { name: 'index.js', content: 'hi' }, { name: 'lib/', type: 'directory' }, { name: 'lib/x', type: 'symlink', linkname: '../index.js' }]);
  const bp = tarOf([{ name: 'bp/', type: 'directory' }, { name: 'bp/bin/detect', content: '#!/bin/sh' }]);
  const merged = mergeTars(
    [{ name: 'app', mode: 0o755, uid: 1000, gid: 1000 }],
    [
      { tar: source, prefix: 'app', uid: 1000, gid: 1000 },
      { tar: bp, prefix: 'buildpacks' },
    ],
    [{ name: 'env/A', content: 'b', mode: 0o600, uid: 1000, gid: 1000 }],
  );
  assert.deepEqual(await list(merged), [
    'directory app 1000:1000',
    'directory app 1000:1000',
    'file app/index.js 1000:1000 "hi"',
    'directory app/lib 1000:1000',
    'symlink app/lib/x 1000:1000 -> ../index.js',
    'directory buildpacks/bp 0:0',
    'file buildpacks/bp/bin/detect 0:0 "#!/bin/sh"',
    'file env/A 1000:1000 "b"',
  ]);
});

test('a part that fails fails the merged stream', async () => {
  const broken = new Readable({ read() { this.destroy(new Error('git archive failed')); } });
  await assert.rejects(list(mergeTars([], [{ tar: broken, prefix: 'x' }])), /git archive failed/);
});
