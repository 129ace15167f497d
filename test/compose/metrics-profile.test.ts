// The metrics profile: Prometheus scraping the platform and Grafana provisioned with the paas
// dashboard, whose queries name metrics the platform really exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/platform.js';

const exec = promisify(execFile);

test('docker-compose --profile metrics adds Prometheus and Grafana with the repository configs', async () => {
  const env = { ...process.env, PAAS_SECRET: 'x'.repeat(64), PAAS_METRICS_TOKEN: 'm'.repeat(32) };
  const { stdout } = await exec('docker-compose', ['-f', 'docker-compose.yml', '--profile', 'metrics', 'config'], { cwd: repoRoot, env });
  const config = parse(stdout) as { services: Record<string, { profiles?: string[]; volumes?: (string | { source: string; target: string })[]; environment?: Record<string, string> }> };
  for (const name of ['prometheus', 'grafana']) assert.deepEqual(config.services[name]?.profiles, ['metrics'], name);
  assert.equal(config.services['controller']?.environment?.['PAAS_METRICS_TOKEN'], 'm'.repeat(32));
  const mounts = ['prometheus', 'grafana'].flatMap((n) => config.services[n]!.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':')[0]! : v.source));
  for (const source of mounts.filter((m) => m.startsWith('/'))) await readFile(source).catch(async () => readdir(source));
  assert.ok(mounts.some((m) => m.endsWith('deploy/grafana/paas-dashboard.json')));
});

test('Prometheus scrapes the controller with the metrics token, the builder and the router', async () => {
  const prom = parse(await readFile(join(repoRoot, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string; authorization?: { credentials_file?: string } }[];
  };
  const jobs = new Map(prom.scrape_configs.map((j) => [j.job_name, j]));
  assert.equal(jobs.get('paas-controller')?.authorization?.credentials_file, '/prometheus/metrics-token');
  assert.ok(jobs.has('paas-builder') && jobs.has('paas-router'));
});

test('every metric the dashboard queries is one the platform exports', async () => {
  const dashboard = JSON.parse(await readFile(join(repoRoot, 'deploy/grafana/paas-dashboard.json'), 'utf8')) as {
    panels: { type: string; targets?: { expr: string }[] }[];
  };
  const sources = await Promise.all(
    ['apps/controller/src/metrics/controller-metrics.ts', 'apps/controller/src/metrics/container-stats.ts', 'apps/builder/src/builder-metrics.ts', 'apps/router/src/router-metrics.ts'].map((f) =>
      readFile(join(repoRoot, f), 'utf8'),
    ),
  );
  const exported = new Set(sources.join('\n').match(/paas_[a-z_]+/g));
  const queried = dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/paas_[a-z_]+/g) ?? []);
  assert.ok(queried.length > 10);
  for (const name of queried) {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(exported.has(base) || exported.has(name), `the dashboard queries ${name}, which nothing exports`);
  }
});
