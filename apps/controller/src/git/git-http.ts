import type { IncomingMessage, ServerResponse } from 'node:http';
import { Git } from 'node-git-server';
import type { Logger } from '@paas/shared';
import type { User } from '../db/users.js';

/** Who is pushing which commit to which app, registered when git-receive-pack starts and read by the hook's callback. */
export class PendingPushes {
  private readonly pushes = new Map<string, { user: User; at: number; ip: string | undefined; gone: AbortSignal | undefined }>();
  private static readonly ttlMs = 60 * 60 * 1000;

  /** `gone` is aborted when the git client disconnects (Ctrl-C on git push). */
  add(app: string, commit: string, user: User, ip?: string, gone?: AbortSignal): void {
    const now = Date.now();
    for (const [k, v] of this.pushes) if (now - v.at > PendingPushes.ttlMs) this.pushes.delete(k);
    this.pushes.set(`${app}:${commit}`, { user, at: now, ip, gone });
  }

  /** The pusher of `commit` to `app` (and the address they pushed from), once. */
  take(app: string, commit: string): { user: User; ip: string | undefined; gone: AbortSignal | undefined } | undefined {
    const key = `${app}:${commit}`;
    const p = this.pushes.get(key);
    this.pushes.delete(key);
    return p && { user: p.user, ip: p.ip, gone: p.gone };
  }
}

/** Decides who may read or push an app's repository: resolves the user from the request or answers it. */
export type GitAuthorizer = (
  req: IncomingMessage,
  app: string,
  kind: 'fetch' | 'push',
) => Promise<{ user: User } | { status: number; message: string; challenge?: boolean }>;

const repoPath = /^\/([a-z][a-z0-9-]*)\.git(\/.*)$/;

/**
 * Git's smart HTTP protocol over node-git-server. Every request, including the POST that carries the
 * pack, is authorised here first (node-git-server itself only checks the info/refs request).
 */
export function createGitHttp(opts: { reposDir: string; authorize: GitAuthorizer; pushes: PendingPushes; log: Logger }) {
  const git = new Git(opts.reposDir, { autoCreate: false });
  const users = new WeakMap<IncomingMessage, User>();
  // Aborted when a push's client disconnects before its answer is complete (git push interrupted).
  const disconnects = new WeakMap<IncomingMessage, AbortController>();

  git.on('push', (push) => {
    const req = (push as unknown as { req: IncomingMessage }).req;
    const user = users.get(req);
    const app = push.repo.replace(/\.git$/, '');
    if (!user) {
      push.reject(401, 'authentication required');
      return;
    }
    opts.pushes.add(app, push.commit, user, req.socket.remoteAddress?.replace(/^::ffff:/, ''), disconnects.get(req)?.signal);
    opts.log.info({ app, commit: push.commit, branch: push.branch, user: user.email }, 'push received');
    push.accept();
  });
  git.on('fetch', (fetch) => fetch.accept());

  return {
    /** Handles the request if it is for a repository; returns false otherwise. */
    async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      const url = new URL(req.url ?? '/', 'http://x');
      const m = repoPath.exec(url.pathname);
      if (!m) return false;
      const app = m[1]!;
      const service = url.searchParams.get('service') ?? url.pathname.split('/').pop() ?? '';
      const kind = service.includes('receive-pack') ? 'push' : 'fetch';
      const verdict = await opts.authorize(req, app, kind);
      if ('status' in verdict) {
        res.statusCode = verdict.status;
        res.setHeader('content-type', 'text/plain');
        if (verdict.challenge) res.setHeader('www-authenticate', 'Basic realm="paas"');
        res.end(`${verdict.message}\n`);
        return true;
      }
      users.set(req, verdict.user);
      if (kind === 'push' && req.method === 'POST') {
        const gone = new AbortController();
        disconnects.set(req, gone);
        res.on('close', () => {
          if (!res.writableFinished) gone.abort();
        });
      }
      git.handle(req, res);
      return true;
    },
  };
}
