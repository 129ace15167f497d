import { execFile, spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { CliError } from './cli-error.js';

/** What `builds:create --dir` packs at most (the API refuses more than PAAS_MAX_PUSH_MB anyway). */
export const maxSourceBytes = 1024 * 1024 * 1024;

/**
 * The files of `dir` to build: inside a git work tree, what git would commit (tracked files and
 * untracked ones .gitignore does not exclude: `git ls-files --cached --others --exclude-standard`);
 * elsewhere every file, `.git` directories left out. Paths relative to `dir`.
 */
export async function sourceFiles(dir: string): Promise<string[]> {
  const fromGit = await new Promise<string[] | undefined>((resolve) => {
    execFile('git', ['-C', dir, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      if (err) return resolve(undefined);
      resolve(stdout.split('\0').filter((f) => f !== ''));
    });
  });
  const files = fromGit ?? (await walk(dir, dir));
  // git lists deleted-but-tracked files too: only what is there is packed.
  const present: string[] = [];
  for (const f of files) if (await stat(join(dir, f)).then(() => true, () => false)) present.push(f);
  if (present.length === 0) throw new CliError(`${dir} has no files to build`);
  return present;
}

async function walk(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(root, path)));
    else out.push(relative(root, path));
  }
  return out;
}

/** A gzipped tar of `files` under `dir` (the system's tar, argument arrays, the list on its stdin). */
export async function packSource(dir: string, files: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['-czf', '-', '-C', dir, '--null', '--no-recursion', '-T', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxSourceBytes) {
        child.kill();
        return reject(new CliError(`${dir} packs to more than ${maxSourceBytes / 1024 / 1024} MB: keep large files out with .gitignore`));
      }
      chunks.push(c);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err) => reject(new CliError(`could not run tar to pack ${dir}: ${err.message}`)));
    child.on('close', (code) => {
      if (code !== 0) return reject(new CliError(`tar could not pack ${dir}: ${stderr.trim() || `exit code ${code}`}`));
      resolve(Buffer.concat(chunks));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(files.map((f) => `${f}\0`).join(''));
  });
}
