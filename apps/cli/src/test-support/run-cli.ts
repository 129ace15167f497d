// Runs the CLI for tests: in-process through run() with captured streams, or as a real process.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Input } from '../io.js';
import { run } from '../program.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const mainTs = fileURLToPath(new URL('../main.ts', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** How to run the CLI from its TypeScript sources, from any directory (git runs helpers in the repo). */
export const selfCommandFromSource: string[] = [
  process.execPath,
  '--conditions=development',
  '--import',
  import.meta.resolve('tsx'),
  mainTs,
];

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Text on stdin (not a TTY), or a stream to use as stdin. */
  stdin?: string | Input;
  now?: Date;
  selfCommand?: string[];
  /** Sees stderr as it is written (e.g. to answer a prompt once it shows). */
  onStderr?: (text: string) => void;
}

/** Calls run() with captured stdout/stderr. */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  let stdin: Input;
  if (typeof options.stdin === 'object') {
    stdin = options.stdin;
  } else {
    const stream = new PassThrough();
    stream.end(options.stdin ?? '');
    stdin = stream;
  }
  const now = options.now;
  const code = await run(argv, {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: {
        write: (s: string) => {
          stderr += s;
          options.onStderr?.(s);
        },
      },
      stdin,
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    homeDir: '/nonexistent-home-for-tests',
    selfCommand: options.selfCommand ?? selfCommandFromSource,
    ...(now ? { now: () => now } : {}),
  });
  return { code, stdout, stderr };
}

/** Runs the CLI as a real process (`node … main.ts`), like a user would through bin/paas. */
export function spawnCli(argv: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      selfCommandFromSource[0] ?? process.execPath,
      [...selfCommandFromSource.slice(1), ...argv],
      { cwd: options.cwd ?? repoRoot, env: { PATH: process.env['PATH'] ?? '', ...options.env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    child.stdin?.end();
  });
}

/** A temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `paas-cli-${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
