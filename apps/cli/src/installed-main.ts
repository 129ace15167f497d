// The CLI of the npm package (scripts/cli-package.mjs bundles this into paas-cli's bin/paas.js): git's
// credential helper runs this same installed file with this same node, from any directory; the
// version is the package's, stamped with the platform's when it was built.
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCli } from './process-main.js';

const self = realpathSync(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

await startCli({ selfCommand: [process.execPath, self], version: pkg.version });
