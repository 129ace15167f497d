import { AppError, readBuildLog } from '@paas/shared';
import type { Redis } from 'ioredis';
import { getBuild } from '../../db/builds.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Where the builders write each build's output as it happens (the Redis stream `git push` reads). */
export interface BuildLogSource {
  /** A connection of its own (XREAD BLOCK holds it); the caller disconnects it. */
  reader(): Redis;
  key(buildId: string): string;
}

/** An SSE `data:` field for one line of output (a line is one field: no newline inside). */
function sseData(text: string): string {
  return `data: ${text.replace(/\r?\n|\r/g, ' ')}\n\n`;
}

/**
 * `GET /apps/{app}/builds/{build}/output-stream`: a build's output as server-sent events, from its
 * first line and live while it runs (the same lines `git push` shows), then an `end` event whose data
 * is the build's status. A finished build answers its stored output at once.
 */
export function buildStreamRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/apps/:app/builds/:build/output-stream',
    action: 'app:read',
    tag: 'builds',
    summary: "A build's output as server-sent events, live while it runs; an `end` event carries its status",
    params: { build: 'The build id' },
    raw: { contentType: 'text/event-stream' },
    handler: async ({ app, params, req, res }) => {
      const id = params['build'] ?? '';
      const build = uuid.test(id) ? await getBuild(ctx.pool, app.id, id) : undefined;
      if (!build) throw new AppError('build_not_found', `no build ${id} for ${app.name}`);
      res.status(200);
      res.setHeader('content-type', 'text/event-stream; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.setHeader('x-accel-buffering', 'no');
      res.flushHeaders();
      const finished = build.status === 'succeeded' || build.status === 'failed';
      if (finished || !ctx.buildLogs) {
        const lines = build.output.split('\n');
        if (lines.at(-1) === '') lines.pop();
        res.write(lines.map(sseData).join(''));
        res.end(`event: end\ndata: ${build.status}\n\n`);
        return;
      }
      let closed = false;
      req.on('close', () => (closed = true));
      res.on('error', () => (closed = true));
      const reader = ctx.buildLogs.reader();
      reader.on('error', () => {});
      try {
        for await (const entry of readBuildLog(reader, ctx.buildLogs.key(build.id), { idleTimeoutMs: 15 * 60_000, cancelled: () => closed })) {
          if (closed) break;
          if (entry.type === 'line') {
            if (!res.write(sseData(entry.text))) await new Promise<void>((r) => { res.once('drain', r); req.once('close', r); });
          } else {
            if (entry.status === 'failed') res.write(sseData(`error: ${entry.error}`));
            res.write(`event: end\ndata: ${entry.status}\n\n`);
          }
        }
      } finally {
        reader.disconnect();
        if (!res.writableEnded) res.end();
      }
    },
  });
}
