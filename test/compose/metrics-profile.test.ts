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
  const dashboard = JSON.parse(await readFile(join(repoRoot, 'deploy/grafana/paas-dashboard.json'), 'utf8')) as Dashboard;
  const exported = await exportedMetrics();
  // Sanity: the registries really are the platform's (a renamed metric would otherwise pass unseen).
  for (const name of ['paas_container_cpu_seconds_total', 'paas_router_requests_total', 'paas_builds_total', 'paas_http_requests_total']) {
    assert.ok(exported.has(name), `${name} is exported`);
  }
  const panels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
  const queries = [
    ...panels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
    ...(dashboard.templating?.list ?? []).map((v) => (typeof v.query === 'string' ? v.query : (v.query?.query ?? ''))),
  ];
  const queried = queries.flatMap((q) => q.match(/paas_[a-z_]+/g) ?? []);
  assert.ok(queried.length > 10);
  for (const name of queried) {
    const histogram = /_(bucket|sum|count)$/.exec(name);
    const ok = exported.get(name) !== undefined || (histogram !== null && exported.get(name.slice(0, histogram.index)) === 'histogram');
    assert.ok(ok, `the dashboard queries ${name}, which no platform process exports`);
  }
});

test('each metric is exported by one component, and counters end in _total', async () => {
  const seen = new Map<string, string>();
  for (const [component, metrics] of await metricsByComponent()) {
    for (const m of metrics) {
      assert.equal(seen.get(m.name), undefined, `${m.name} is exported by ${seen.get(m.name)} and ${component}`);
      seen.set(m.name, component);
      if (m.type === 'counter') assert.match(m.name, /_total$/, `${component}'s counter ${m.name}`);
    }
  }
  for (const name of ['paas_builds_total', 'paas_build_duration_seconds']) assert.equal(seen.get(name), 'builder', name);
  for (const name of ['paas_container_cpu_seconds_total', 'paas_container_restarts_total']) assert.equal(seen.get(name), 'controller', name);
});

interface Panel {
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating?: { list: { query?: string | { query?: string } }[] };
}

/** Metric name → type, from the registries the controller, the builder and the router really serve. */
async function exportedMetrics(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [, metrics] of await metricsByComponent()) for (const m of metrics) out.set(m.name, m.type);
  return out;
}

/** Each component's metrics (name and type), from the registries it really serves. */
async function metricsByComponent(): Promise<[string, { name: string; type: string }[]][]> {
  const { ControllerMetrics } = await import('../../apps/controller/src/metrics/controller-metrics.js');
  const { ContainerStats } = await import('../../apps/controller/src/metrics/container-stats.js');
  const { EngineClients } = await import('../../apps/controller/src/logs/engine-clients.js');
  const { BuilderMetrics } = await import('../../apps/builder/src/builder-metrics.js');
  const { RouterMetrics } = await import('../../apps/router/src/router-metrics.js');
  const { createLogger } = await import('@paas/shared');
  const controller = new ControllerMetrics({ queueCounts: async () => ({ waiting: 0 }), tails: () => ({ count: 0, bufferedBytes: 0 }) });
  // Registers the per-container gauges; never started, so it reads no engine.
  new ContainerStats({ hosts: () => [], engines: new EngineClients(), cluster: 'test', registry: controller.registry, intervalMs: 1000, log: createLogger('test', 'silent') });
  const router = new RouterMetrics({ routes: () => 0, ejectedBackends: () => 0, tunnels: () => 0 });
  const registries = { controller: controller.registry, builder: new BuilderMetrics().registry, router: router.registry };
  return Promise.all(
    Object.entries(registries).map(async ([c, r]) => [c, (await r.getMetricsAsJSON()).map((m) => ({ name: m.name, type: String(m.type) }))] as [string, { name: string; type: string }[]]),
  );
}
