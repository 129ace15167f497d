/**
 * Runs the test cases of Heroku's Node.js buildpack (heroku/heroku-buildpack-nodejs: test/run-general,
 * run-npm, run-yarn, run-pnpm and their test/fixtures) through paas's build path: each `compile` is
 * bin/detect, bin/compile /app /cache /env and bin/release of this checkout's buildpacks/nodejs in a
 * container of the build image as the unprivileged user, as apps/builder runs it; each assertion is
 * checked as Heroku's tests check it. Prints PASS/FAIL/SKIP a case and closes with `N passed, N failed`.
 *
 *   node --conditions=development --import tsx bench/heroku-nodejs-fixtures.ts \
 *     [--checkout DIR] [--filter SUBSTR[$]]... [--concurrency N] [--json FILE] [--buildpack DIR]
 *   ... --from-json FILE   prints a saved run's report again
 *
 * --checkout is a work tree of that repository or a bare git directory (its test/ exported with `git archive`);
 * default $HEROKU_NODEJS_CHECKOUT, else /work/.mirror/heroku+heroku-buildpack-nodejs/repo. --ca-file
 * (default $PAAS_BUILD_CA_FILE, else $NODE_EXTRA_CA_CERTS) is trusted by the builds, as the builder does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { parseTestFile, type FixtureCase } from './heroku-fixtures/cases.js';
import { runCase, type CaseResult, type RunnerOptions } from './heroku-fixtures/case-runner.js';
import { formatCase, summary } from './heroku-fixtures/report.js';
import { openCheckout } from './heroku-fixtures/checkout.js';
import { BuildTrust } from '../apps/builder/src/build-trust.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const defaultCheckout = '/work/.mirror/heroku+heroku-buildpack-nodejs/repo';
const testFiles = ['run-general', 'run-npm', 'run-yarn', 'run-pnpm'];

/** The command line, with the one environment variable it reads. */
function options(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      checkout: { type: 'string', default: env['HEROKU_NODEJS_CHECKOUT'] ?? defaultCheckout },
      filter: { type: 'string', multiple: true },
      concurrency: { type: 'string', default: '1' },
      json: { type: 'string' },
      'from-json': { type: 'string' },
      image: { type: 'string', default: 'paas/build:bookworm' },
      buildpack: { type: 'string', default: join(root, 'buildpacks', 'nodejs') },
      'memory-mb': { type: 'string', default: '2048' },
      cpus: { type: 'string', default: '2' },
      'timeout-s': { type: 'string', default: '900' },
      // as the builder: the extra certificates a build trusts (a network that intercepts TLS)
      'ca-file': { type: 'string', default: env['PAAS_BUILD_CA_FILE'] ?? env['NODE_EXTRA_CA_CERTS'] },
    },
  });
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be a positive integer');
  return { ...values, concurrency };
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2), process.env);
  if (o['from-json']) {
    // print a saved run again (its cases and closing lines), e.g. after the grouping changed
    const saved = JSON.parse(readFileSync(o['from-json'], 'utf8')) as { results: CaseResult[] };
    for (const r of saved.results) console.log(formatCase(r));
    console.log(summary(saved.results).text);
    return;
  }
  const checkout = await openCheckout(o.checkout);
  try {
    const cases: FixtureCase[] = [];
    for (const f of testFiles) {
      const path = join(checkout.dir, 'test', f);
      if (existsSync(path)) cases.push(...parseTestFile(readFileSync(path, 'utf8'), f));
    }
    // a fixture the checkout has only in part cannot say anything about the buildpack
    for (const c of cases) {
      const lacking = c.steps.flatMap((s) => (s.kind === 'build' ? checkout.missing.filter((m) => m.startsWith(`test/fixtures/${s.fixture}/`)) : []));
      if (c.skip === undefined && lacking.length > 0) c.skip = `the checkout lacks ${lacking.length} file(s) of its fixture (${lacking[0]})`;
    }
    // a filter is a substring of FILE:NAME; one ending in $ must end the name (testYarn$ is that case alone)
    const matches = (key: string, f: string): boolean => (f.endsWith('$') ? key.endsWith(f.slice(0, -1)) : key.includes(f));
    const chosen = cases.filter((c) => !o.filter || o.filter.some((s) => matches(`${c.file}:${c.name}`, s)));
    const docker = new Docker();
    const trust = new BuildTrust(docker, 'heroku-fixtures', o['ca-file'] ? readFileSync(o['ca-file']) : undefined);
    const runner: RunnerOptions = {
      docker,
      image: o.image,
      checkout: checkout.dir,
      buildpackDir: o.buildpack,
      memoryMb: Number(o['memory-mb']),
      cpus: Number(o.cpus),
      timeoutMs: Number(o['timeout-s']) * 1000,
      env: trust.env,
      extraFiles: await trust.files(o.image),
      runId: randomBytes(4).toString('hex'),
    };
    console.log(`Heroku Node.js buildpack cases from ${o.checkout} (${checkout.commit.slice(0, 12)}): ${chosen.length} of ${cases.length}`);
    console.log(`buildpack under test: ${o.buildpack}; image ${o.image}; concurrency ${o.concurrency}`);
    // an interrupted run removes what it made (its containers and volumes carry its id)
    process.once('SIGINT', () => {
      console.error('interrupted: removing the containers and volumes of this run');
      void removeRun(docker, runner.runId).finally(() => process.exit(130));
    });
    const results: CaseResult[] = new Array(chosen.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chosen.length) {
        const i = next++;
        results[i] = await runCase(chosen[i]!, runner, i);
        console.log(formatCase(results[i]!));
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: Math.min(o.concurrency, chosen.length) }, worker));
    const s = summary(results);
    if (o.json) {
      await mkdir(dirname(resolve(o.json)), { recursive: true });
      // each build's output kept to its last 64 KB
      const trimmed = results.map((r) => ({ ...r, builds: r.builds.map((b) => ({ ...b, stdout: b.stdout.slice(-65536), stderr: b.stderr.slice(-65536) })) }));
      const report = { checkout: o.checkout, commit: checkout.commit, buildpack: o.buildpack, image: o.image, ms: Date.now() - started, ...s.counts, results: trimmed };
      await writeFile(o.json, `${JSON.stringify(report, null, 2)}\n`);
    }
    console.log(s.text);
  } finally {
    if (checkout.temporary) await rm(checkout.dir, { recursive: true, force: true });
  }
}

async function removeRun(docker: Docker, runId: string): Promise<void> {
  const filters = { label: [`paas.fixture-run=${runId}`] };
  for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => undefined);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
