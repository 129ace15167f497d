import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { AppError } from '@paas/shared';
import { findAppByName } from '../../db/apps.js';
import type { ApiContext } from '../context.js';

const sha = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The endpoint the pre-receive hooks call with the pushed tree. The answer is plain text streamed
 * line by line (the build's output), closed by `@@paas-exit <code>`: 0 accepts the push.
 */
export function internalRoutes(ctx: ApiContext): Router {
  const r = Router();

  r.post('/internal/git/:app/receive', async (req, res) => {
    if (!sameSecret(String(req.headers['x-paas-hook-token'] ?? ''), ctx.hookToken)) {
      throw new AppError('unauthorized', 'this endpoint is for the platform git hooks');
    }
    const commit = String(req.query['commit'] ?? '');
    if (!sha.test(commit)) throw new AppError('invalid_params', 'commit: not a git object id');
    const name = req.params.app!;
    const user = ctx.pushes.take(name, commit);
    if (!user) throw new AppError('unauthorized', 'no authorised push of this commit is under way');
    const app = await findAppByName(ctx.pool, name);
    if (!app) throw new AppError('app_not_found', `Couldn't find that app: ${name}`);

    res.status(200).setHeader('content-type', 'text/plain; charset=utf-8');
    res.setHeader('cache-control', 'no-cache');
    res.flushHeaders();
    const say = (line: string): void => {
      if (!res.writableEnded && !res.destroyed) res.write(`${line}\n`);
    };
    try {
      await ctx.pushService.push({ app, user, commit, source: req, say });
      say('@@paas-exit 0');
    } catch (err) {
      const message = err instanceof AppError ? err.message : 'internal error; the platform log has the details';
      if (!(err instanceof AppError)) ctx.log.error({ err, app: name }, 'push failed');
      say('');
      for (const line of message.split('\n')) say(` !     ${line}`);
      say(` !     Push rejected to ${name}.`);
      say('@@paas-exit 1');
    }
    res.end();
  });

  return r;
}
