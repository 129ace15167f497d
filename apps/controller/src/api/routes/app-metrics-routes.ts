import { parseLogEntry, type StoredLogEntry } from '@paas/shared';
import { appMetricsSchema } from '@paas/shared/api-contract';
import { requestSeries } from '../../metrics/app-metrics.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

const windowMs = 3600_000;
const stepMs = 60_000;
/** Access lines read at most (the stream itself is bounded by PAAS_LOG_LINES). */
const maxEntries = 200_000;

/** `GET /apps/{app}/metrics`: the last hour of requests, status classes, latency and memory (the console's charts). */
export function appMetricsRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/apps/:app/metrics',
    action: 'app:read',
    tag: 'metrics',
    summary: "The app's last hour per minute: requests, status classes and latency from the router's access lines; memory from the container samples",
    response: appMetricsSchema,
    handler: async ({ app }) => {
      const now = Date.now();
      const entries: StoredLogEntry[] = [];
      let partial = false;
      if (ctx.logs) {
        const store = ctx.logs.store;
        const raw = (await store.redis.xrange(store.key(app.name), String(now - windowMs), '+', 'COUNT', maxEntries)) as [string, string[]][];
        for (const [id, fields] of raw) entries.push(parseLogEntry(id, fields));
        // The stream is trimmed by length (about maxLines): full, and its oldest line inside the hour, older ones are gone.
        const oldest = raw[0] ? Number(raw[0][0].split('-')[0]) : now;
        const full = (await store.redis.xlen(store.key(app.name))) >= store.maxLines * 0.9;
        partial = raw.length >= maxEntries || (full && oldest > now - windowMs + stepMs);
      }
      return {
        window_seconds: windowMs / 1000,
        step_seconds: stepMs / 1000,
        requests: requestSeries(entries, now, windowMs, stepMs),
        memory: ctx.metrics?.memoryHistory(app.name) ?? [],
        partial,
      };
    },
  });
}
