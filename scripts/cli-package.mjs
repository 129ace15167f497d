#!/usr/bin/env node
// Builds paas's CLI as a self-contained npm package, apps/cli/pack/paas-cli.tgz, which the controller
// serves at /cli/paas-cli.tgz (`npm install -g http://<api>/cli/paas-cli.tgz` on any machine):
// apps/cli/src/installed-main.ts and everything it imports (@paas/shared, commander, zod) bundled by
// esbuild into one ES module, bin/paas.js, so the package has no dependencies to fetch; its version
// is the platform's (package.json). Run by `npm run build`; `--out DIR` writes DIR/paas-cli.tgz instead.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? resolve(process.argv[outIndex + 1]) : join(root, 'apps/cli/pack');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const stage = join(out, 'package');
rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, 'bin'), { recursive: true });

// @paas/shared's modules the CLI does not use (the Redis route store, the logger) must not pull in
// ioredis or pino: they are free of side effects, so what is not imported is left out.
const sharedSrc = join(root, 'packages/shared/src');
const sideEffectFreeShared = {
  name: 'side-effect-free-shared',
  setup(b) {
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData?.inner || args.kind === 'entry-point') return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: { inner: true } });
      if (r.errors.length > 0 || !r.path.startsWith(sharedSrc)) return r.errors.length > 0 ? { errors: r.errors } : { ...r, pluginData: undefined };
      return { ...r, sideEffects: false, pluginData: undefined };
    });
  },
};

const result = await build({
  entryPoints: [join(root, 'apps/cli/src/installed-main.ts')],
  outfile: join(stage, 'bin/paas.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // the TypeScript sources of the workspace packages (no tsc -b needed first)
  conditions: ['development'],
  // CommonJS dependencies (commander) require node's modules: give the bundle a require
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __paasCreateRequire } from 'node:module';\nconst require = __paasCreateRequire(import.meta.url);" },
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  plugins: [sideEffectFreeShared],
});
const bundled = Object.values(result.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([p]) => p));
const forbidden = bundled.filter((p) => /node_modules\/(ioredis|pino|pg|dockerode|express)\//.test(p));
if (forbidden.length > 0) throw new Error(`the CLI bundle pulled in platform-only dependencies: ${forbidden.slice(0, 5).join(', ')}`);

const notices = ['commander', 'zod']
  .map((name) => `${name} (${JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version})\n\n${readFileSync(join(root, 'node_modules', name, 'LICENSE'), 'utf8')}`)
  .join('\n---\n\n');
writeFileSync(join(stage, 'THIRD-PARTY-NOTICES'), `bin/paas.js bundles these packages:\n\n${notices}`);
writeFileSync(
  join(stage, 'README.md'),
  `# paas-cli\n\nThe command line of paas, a self-hosted Heroku-style platform, served by the platform itself:\n\n` +
    '```sh\nnpm install -g http://<your platform API>/cli/paas-cli.tgz\npaas login --api http://<your platform API>\n```\n\n' +
    `Version ${version}, the platform's it came from (\`paas version\` shows both). Node.js 20 or later; no dependencies.\n`,
);
writeFileSync(
  join(stage, 'package.json'),
  `${JSON.stringify(
    {
      name: 'paas-cli',
      version,
      description: 'The paas command line: git push to deploy on your own paas platform',
      license: 'MIT',
      type: 'module',
      bin: { paas: 'bin/paas.js' },
      files: ['bin', 'README.md', 'THIRD-PARTY-NOTICES'],
      engines: { node: '>=20' },
    },
    null,
    2,
  )}\n`,
);

for (const f of readdirSync(out)) if (/^paas-cli-.*\.tgz$/.test(f)) rmSync(join(out, f));
execFileSync('npm', ['pack', '--silent', '--pack-destination', out, stage], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, npm_config_ignore_scripts: 'true' } });
const packed = readdirSync(out).find((f) => /^paas-cli-.*\.tgz$/.test(f));
if (!packed) throw new Error(`npm pack left no paas-cli-*.tgz in ${out}`);
renameSync(join(out, packed), join(out, 'paas-cli.tgz'));
rmSync(stage, { recursive: true, force: true });
console.log(`paas-cli ${version}: ${join(out, 'paas-cli.tgz')} (${Math.round(statSync(join(out, 'paas-cli.tgz')).size / 1024)} KB)`);
