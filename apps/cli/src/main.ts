#!/usr/bin/env node
// The CLI of a checkout (bin/paas): git's credential helper runs bin/paas again; the version is the
// platform's (the repository's package.json), as the API reports it.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCli } from './process-main.js';

// main.ts (src/) and main.js (dist/) both sit two levels under the repository root.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };

await startCli({ selfCommand: [realpathOr(`${root}bin/paas`)], version: pkg.version });

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
