// The controller's metrics: /metrics for an admin or the metrics token only, HTTP counters and
// histograms by route, and per-container CPU, memory and restarts from the real Docker engine.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { errorHandler } from '../api/error-handler.js';
import { createApiHarness, type ApiHarness } from '../api/test-harness.js';
import type { HostRow } from '../db/hosts.js';
import { EngineClients } from '../logs/engine-clients.js';
import { ContainerStats } from './container-stats.js';
import { ControllerMetrics } from './controller-metrics.js';
import { metricsRoutes } from './metrics-routes.js';
import { parsePrometheusText } from './prometheus-text.js';

const log = createLogger('test', 'silent');

describe('controller metrics', { timeout: 120_000 }, () => {
  let h: ApiHarness;
  const docker = new Docker();
  const cluster = `metrics-${randomBytes(3).toString('hex')}`;

  before(async () => {
    h = await createApiHarness();
  });
  after(async () => {
    for (const c of await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } })) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    }
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    await h.close();
  });

  test('GET /metrics: admins and the metrics token only; requests counted by route pattern', async () => {
    const metrics = new ControllerMetrics({ token: 'prometheus-token-0123456789', queueCounts: async () => ({ waiting: 2, active: 1 }) });
    const app = express();
    app.use(metrics.httpMiddleware());
    app.get('/apps/:app', (_req, res) => res.json({ ok: true }));
    app.use(metricsRoutes(metrics, h.tokens));
    app.use(errorHandler(log));
    const user = await h.user('metrics-user@example.com');
    const admin = await h.user('metrics-admin@example.com', 'admin');

    assert.equal((await request(app).get('/metrics')).status, 401);
    assert.equal((await request(app).get('/metrics').set('authorization', 'Bearer wrong')).status, 401);
    const forbidden = await request(app).get('/metrics').set('authorization', `Bearer ${user.token}`);
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.id, 'forbidden');
    await request(app).get('/apps/shop');
    await request(app).get('/apps/other');
    for (const token of [admin.token, 'prometheus-token-0123456789']) {
      const res = await request(app).get('/metrics').set('authorization', `Bearer ${token}`);
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type']!, /text\/plain; version=0\.0\.4/);
      const { samples, types } = parsePrometheusText(res.text);
      const byRoute = samples.find((s) => s.name === 'paas_http_requests_total' && s.labels['route'] === '/apps/:app');
      assert.equal(byRoute?.value, 2, 'both apps count under one route label');
      assert.equal(types.get('paas_http_request_duration_seconds'), 'histogram');
      assert.equal(samples.find((s) => s.name === 'paas_build_queue_jobs' && s.labels['state'] === 'waiting')?.value, 2);
    }
  });

  test('per-container CPU, memory and restarts from the engine, labelled by app, process and host', async () => {
    const c = await docker.createContainer({
      Image: 'paas/run:bookworm',
      Cmd: ['while :; do :; done'],
      Labels: { 'paas.cluster': cluster, 'paas.role': 'process', 'paas.app': 'busy', 'paas.process': 'web.1' },
      HostConfig: { Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000 },
    });
    await c.start();
    const host = { name: 'local', docker_url: 'unix:///var/run/docker.sock', tls: null, status: 'up' } as HostRow;
    const metrics = new ControllerMetrics();
    const stats = new ContainerStats({ hosts: () => [host], engines: new EngineClients(), cluster, registry: metrics.registry, intervalMs: 1000, log });
    metrics.containers = stats;
    await stats.sampleOnce();
    assert.equal(metrics.usage(c.id)?.cpu_percent, null, 'CPU needs two samples');
    await new Promise((r) => setTimeout(r, 1000));
    await stats.sampleOnce();
    const usage = metrics.usage(c.id)!;
    // Under the half-core limit; how much of it the loop gets depends on the machine's load.
    assert.ok(usage.cpu_percent! > 0 && usage.cpu_percent! < 80, `a busy loop limited to half a core: ${usage.cpu_percent}%`);
    assert.ok(usage.memory_mb! > 0 && usage.memory_mb! < 64);
    const { samples } = parsePrometheusText((await metrics.render()).text);
    const labels = { app: 'busy', process: 'web.1', host: 'local' };
    for (const name of ['paas_container_cpu_seconds_total', 'paas_container_memory_bytes', 'paas_container_memory_limit_bytes', 'paas_container_restarts_total']) {
      const s = samples.find((x) => x.name === name);
      assert.deepEqual(s?.labels, labels, name);
    }
    const types = parsePrometheusText((await metrics.render()).text).types;
    assert.equal(types.get('paas_container_cpu_seconds_total'), 'counter');
    assert.equal(types.get('paas_container_restarts_total'), 'counter');
    const cpuSeconds = samples.find((x) => x.name === 'paas_container_cpu_seconds_total')!.value;
    assert.ok(cpuSeconds > 0, `a busy loop has used CPU: ${cpuSeconds} s`);
    assert.equal(samples.find((x) => x.name === 'paas_container_restarts_total')?.value, 0);
    assert.equal(samples.find((x) => x.name === 'paas_container_memory_limit_bytes')?.value, 64 * 1024 * 1024);
    await c.remove({ force: true });
    await stats.sampleOnce();
    assert.ok(!parsePrometheusText((await metrics.render()).text).samples.some((s) => s.name === 'paas_container_cpu_seconds_total'), 'gone containers leave no series');
  });
});
