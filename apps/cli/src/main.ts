#!/usr/bin/env node
// Wiring only: the real process's streams, environment and paths, handed to run().
import { readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { run } from './program.js';

// main.ts (src/) and main.js (dist/) both sit two levels under the repository root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const binPaas = realpathOr(`${root}bin/paas`);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0); // `paas apps | head`
  throw err;
});

process.exitCode = await run(
  process.argv.slice(2),
  {
    io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    env: process.env,
    cwd: process.cwd(),
    homeDir: homedir(),
    selfCommand: [binPaas],
  },
  { version: pkg.version },
);

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
