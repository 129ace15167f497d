import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Checkout {
  /** A directory with the repository's test/ (run-* files and fixtures). */
  dir: string;
  commit: string;
  /** Made by the runner: removed when it is done. */
  temporary: boolean;
  /** Files of test/ whose content the git directory lacks (a partial mirror), by path. */
  missing: string[];
}

/**
 * The repository's test/ directory: a work tree is used as it is; from a bare git directory the
 * commit's test/ is written out (blob by blob, so that a snapshot lacking a few large blobs still
 * gives every other file; those it lacks are listed).
 */
export async function openCheckout(path: string): Promise<Checkout> {
  if (existsSync(join(path, 'test', 'run-general'))) {
    const commit = await git(['-C', path, 'rev-parse', 'HEAD']).then((b) => b.toString().trim(), () => 'unknown');
    return { dir: path, commit, temporary: false, missing: [] };
  }
  const commit = (await git(['--git-dir', path, 'rev-parse', 'HEAD'])).toString().trim();
  const listing = (await git(['--git-dir', path, 'ls-tree', '-r', '-z', commit, '--', 'test'])).toString();
  const entries = listing
    .split('\0')
    .filter((e) => e !== '')
    .map((e) => {
      const [meta = '', file = ''] = e.split('\t');
      const [mode = '', type = '', oid = ''] = meta.split(' ');
      return { mode, type, oid, file };
    })
    .filter((e) => e.type === 'blob');
  const blobs = parseBatch(await git(['--git-dir', path, 'cat-file', '--batch'], entries.map((e) => e.oid).join('\n') + '\n'));
  const dir = await mkdtemp(join(tmpdir(), 'heroku-nodejs-'));
  const missing: string[] = [];
  for (const e of entries) {
    const content = blobs.get(e.oid);
    if (content === undefined) {
      missing.push(e.file);
      continue;
    }
    const target = join(dir, e.file);
    await mkdir(dirname(target), { recursive: true });
    if (e.mode === '120000') await symlink(content.toString(), target);
    else {
      await writeFile(target, content);
      if (e.mode === '100755') await chmod(target, 0o755);
    }
  }
  return { dir, commit, temporary: true, missing };
}

/** `git cat-file --batch` output: each blob's content by object id; missing objects left out. */
function parseBatch(out: Buffer): Map<string, Buffer> {
  const blobs = new Map<string, Buffer>();
  let i = 0;
  while (i < out.length) {
    const nl = out.indexOf(0x0a, i);
    if (nl < 0) break;
    const [oid = '', type = '', size = ''] = out.subarray(i, nl).toString().split(' ');
    i = nl + 1;
    if (type === 'missing' || size === '') continue;
    const n = Number(size);
    blobs.set(oid, out.subarray(i, i + n));
    i += n + 1;
  }
  return blobs;
}

function git(args: string[], input?: string): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const child = spawn('git', args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? ok(Buffer.concat(out)) : fail(new Error(`git ${args.join(' ')}: ${err.trim()}`))));
    if (child.stdin) {
      child.stdin.on('error', fail);
      child.stdin.end(input);
    }
  });
}
