import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { AppError } from '@paas/shared';
import { authorize, tokenFrom } from '../api/auth.js';
import type { TokenService } from '../auth/token-service.js';
import { ControllerMetrics } from './controller-metrics.js';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `GET /metrics` in Prometheus' text format, for an admin's token or the metrics token
 * (`Authorization: Bearer $PAAS_METRICS_TOKEN`): the figures name every app and host, so they are
 * not public. Listed in policy.ts's plainRoutes as `admin`.
 */
export function metricsRoutes(given: ControllerMetrics | undefined, tokens: TokenService): Router {
  const metrics = given ?? new ControllerMetrics();
  const r = Router();
  r.get('/metrics', async (req, res) => {
    const token = tokenFrom(req.headers.authorization);
    if (!token) throw new AppError('unauthorized', 'authentication required: an admin token or PAAS_METRICS_TOKEN');
    if (!(metrics.token && same(token, metrics.token))) authorize(await tokens.authenticate(token), 'admin');
    const { contentType, text } = await metrics.render();
    res.status(200).type(contentType).setHeader('cache-control', 'no-store');
    res.send(text);
  });
  return r;
}
