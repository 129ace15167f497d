import { createServer, type Server } from 'node:http';
import type { Redis } from 'ioredis';
import type Docker from 'dockerode';
import { withTimeout } from '@paas/shared';
import type { BuilderMetrics } from './builder-metrics.js';

const checkTimeoutMs = 2000;

/** Whether the builder can work: Redis and the Docker engine both answer. */
export async function checkHealth(redis: Redis, docker: Docker): Promise<{ ok: boolean; problems: string[] }> {
  const results = await Promise.allSettled([withTimeout(redis.ping(), checkTimeoutMs, 'redis'), withTimeout(docker.ping(), checkTimeoutMs, 'docker')]);
  const problems = results.flatMap((r, i) => (r.status === 'rejected' ? [`${i === 0 ? 'redis' : 'docker'}: ${(r.reason as Error).message}`] : []));
  return { ok: problems.length === 0, problems };
}

/**
 * `GET /healthz`: 200 {"status":"ok"} when Redis and Docker answer, 503 with the problems otherwise;
 * `GET /metrics` when `metrics` is given.
 */
export function createHealthServer(redis: Redis, docker: Docker, metrics?: BuilderMetrics): Server {
  // Probes and scrapers send no body: a client that takes long over its request is cut off.
  const limits = { headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 };
  return createServer(limits, (req, res) => {
    if (metrics?.handle(req, res)) return;
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'not_found', message: 'not found' }));
      return;
    }
    void checkHealth(redis, docker).then(({ ok, problems }) => {
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json' })
        .end(JSON.stringify(ok ? { status: 'ok' } : { status: 'unavailable', problems }));
    });
  });
}
