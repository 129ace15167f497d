import { z } from 'zod';
import { AppError } from '@paas/shared';
import { createdBuildSchema, sourceSchema } from '@paas/shared/api-contract';
import { getBuild } from '../../db/builds.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';
import { buildJson } from '../serializers.js';

const createBody = z.object({
  source_blob: z.object(
    {
      url: z.string({ required_error: 'is required' }).min(1).max(2048).describe('An https:// URL of a gzipped tar of the app (a GitHub archive, say), or the get_url of an upload'),
      version: z.string().max(200).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII').nullable().optional().describe('What the source is (a commit, a tag): shown with the build'),
      checksum: z.string().max(100).nullable().optional().describe('SHA256:<hex> of the tarball: a mismatch fails the build'),
    },
    { required_error: 'is required' },
  ),
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Builds from a source tarball (Heroku's build API), uploads of a source, and the output stream of such a build. */
export function sourceBuildsRoutes(table: RouteTable, ctx: ApiContext): void {
  const builds = ctx.sourceBuilds;
  if (!builds) return;
  table.add({
    method: 'post',
    path: '/apps/:app/builds',
    action: 'app:deploy',
    tag: 'builds',
    summary: 'Builds and releases a source tarball like a push; answers at once with the build and its output_stream_url',
    body: createBody,
    example: { source_blob: { url: 'https://github.com/example/app/archive/v1.tar.gz', version: 'v1' } },
    status: 201,
    response: createdBuildSchema,
    handler: async ({ app, user, body }) => {
      const { build, outputStreamUrl } = await builds.start(app, user, body.source_blob);
      return { ...buildJson(build), app: { id: app.id, name: app.name }, output_stream_url: outputStreamUrl };
    },
  });

  table.add({
    method: 'post',
    path: '/apps/:app/sources',
    action: 'app:deploy',
    tag: 'builds',
    summary: 'A URL to upload a source tarball to (PUT), for a build of it (`paas builds:create --dir`)',
    status: 201,
    response: sourceSchema,
    handler: ({ app }) => ({ source_blob: builds.newUpload(app) }),
  });

  table.add({
    method: 'put',
    path: '/apps/:app/sources/:upload',
    action: 'app:deploy',
    tag: 'builds',
    summary: 'Uploads a source tarball (a gzipped tar, at most PAAS_MAX_PUSH_MB); build it with its URL as source_blob.url within an hour',
    params: { upload: 'The upload id (from POST /apps/{app}/sources)' },
    raw: { contentType: 'application/json' },
    handler: async ({ app, params, req, res }) => {
      const bytes = await builds.receiveUpload(app, params['upload'] ?? '', req);
      res.status(200).json({ message: `received ${bytes} bytes` });
    },
  });

  table.add({
    method: 'get',
    path: '/build-output/:build',
    action: 'public',
    tag: 'builds',
    summary: "A build's output as plain text, live until it ends (the output_stream_url of POST /apps/{app}/builds; its token authorises it)",
    params: { build: 'The build id' },
    query: z.object({ token: z.string().max(4000) }),
    raw: { contentType: 'text/plain; charset=utf-8' },
    handler: async ({ params, query, req, res }) => {
      const id = params['build'] ?? '';
      if (!uuid.test(id)) throw new AppError('build_not_found', 'no such build');
      const { appId } = builds.openStreamToken(id, query.token);
      const row = await getBuild(ctx.pool, appId, id);
      if (!row) throw new AppError('build_not_found', 'no such build');
      res.status(200).setHeader('content-type', 'text/plain; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      let gone = false;
      res.on('close', () => (gone = true));
      let any = false;
      for await (const entry of ctx.pushService.readOutput(id, () => gone)) {
        if (entry.type === 'line') {
          any = true;
          if (!res.write(`${entry.text}\n`)) await new Promise<void>((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
        }
        if (gone) break;
      }
      // Redis lost the stream (it came back empty): the output PostgreSQL keeps.
      if (!any && !gone) {
        const finished = await getBuild(ctx.pool, appId, id);
        if (finished?.output) res.write(`${finished.output}\n`);
      }
      res.end();
    },
  });
}
