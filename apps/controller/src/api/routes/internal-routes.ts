import { z } from 'zod';
import { AppError } from '@paas/shared';
import { findAppByName } from '../../db/apps.js';
import { findUserById } from '../../db/users.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

const receiveQuery = z.object({
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'not a git object id'),
  ref: z.string().max(255).optional(),
});

/**
 * The endpoint the pre-receive hooks call with the pushed tree. The answer is plain text streamed
 * line by line (the build's output), closed by `@@paas-exit <code>`: 0 accepts the push.
 */
export function internalRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'post',
    path: '/internal/git/:app/receive',
    action: 'hook',
    tag: 'internal',
    summary: "For the platform's git hooks (x-paas-hook-token): builds and releases a pushed commit, streaming the output",
    query: receiveQuery,
    raw: { contentType: 'text/plain' },
    handler: async ({ req, res, query, params }) => {
      const { commit } = query;
      const name = params['app']!;
      const pusher = ctx.pushes.take(name, commit);
      if (!pusher) throw new AppError('unauthorized', 'no authorised push of this commit is under way');
      // The pusher may have been disabled since git authorised them.
      const user = await findUserById(ctx.pool, pusher.user.id);
      if (!user || user.disabled_at) throw new AppError('unauthorized', 'this account is disabled');
      const app = await findAppByName(ctx.pool, name);
      if (!app) throw new AppError('app_not_found', `Couldn't find that app: ${name}`);

      res.status(200).setHeader('content-type', 'text/plain; charset=utf-8');
      res.setHeader('cache-control', 'no-cache');
      res.flushHeaders();
      const say = (line: string): void => {
        if (!res.writableEnded && !res.destroyed) res.write(`${line}\n`);
      };
      const audit = { actor: user, ip: pusher.ip, action: 'deploy' as const, app: app.name };
      // The build is cancelled when the git client disconnects, or the hook itself goes away.
      const hookGone = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) hookGone.abort();
      });
      const signal = pusher.gone ? AbortSignal.any([pusher.gone, hookGone.signal]) : hookGone.signal;
      try {
        const result = await ctx.pushService.push({ app, user, commit, source: req, say, signal });
        await ctx.access.audit.record({ ...audit, details: { commit, result: 'succeeded', build: result.buildId, release: result.version } });
        say('@@paas-exit 0');
      } catch (err) {
        const message = err instanceof AppError ? err.message : 'internal error; the platform log has the details';
        if (!(err instanceof AppError)) ctx.log.error({ err, app: name }, 'push failed');
        await ctx.access.audit.record({ ...audit, details: { commit, result: 'refused', error: err instanceof AppError ? err.code : 'internal' } });
        say('');
        for (const line of message.split('\n')) say(` !     ${line}`);
        say(` !     Push rejected to ${name}.`);
        say('@@paas-exit 1');
      }
      res.end();
    },
  });
}
