import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Logger } from '@paas/shared';
import type { User } from '../db/users.js';
import { advertiseRefs, refuseGit, runService, type GitService } from './git-process.js';
import { ReceiveCommandReader, defaultCommandLimits, type CommandLimits, type RefUpdate } from './receive-commands.js';

/** Who is pushing which commit to which app, registered when git-receive-pack starts and read by the hook's callback. */
export class PendingPushes {
  private readonly pushes = new Map<string, { user: User; at: number; ip: string | undefined; gone: AbortSignal | undefined }>();
  private static readonly ttlMs = 60 * 60 * 1000;
  private swept = 0;

  /** `gone` is aborted when the git client disconnects (Ctrl-C on git push). */
  add(app: string, commit: string, user: User, ip?: string, gone?: AbortSignal): void {
    const now = Date.now();
    // Expired entries go at most once a minute: a stream of pushes costs no more than its length.
    if (now - this.swept > 60_000) {
      this.swept = now;
      for (const [k, v] of this.pushes) if (now - v.at > PendingPushes.ttlMs) this.pushes.delete(k);
    }
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

export interface GitHttpLimits extends CommandLimits {
  /** How long a push may take to send its command list (the pack's own pace is bounded by the server's request deadlines). */
  commandsTimeoutMs: number;
}

export const defaultGitHttpLimits: GitHttpLimits = { ...defaultCommandLimits, commandsTimeoutMs: 30_000 };

// The raw path (before any decoding or dot-segment folding): `/<app>.git` and whatever follows.
const repoPath = /^\/([a-z][a-z0-9-]*)\.git(\/[^?]*)?(?:\?(.*))?$/s;
const services = new Set<string>(['upload-pack', 'receive-pack']);
const zeroId = /^0+$/;
// The branches the pre-receive hook deploys (pre-receive-hook.ts): only their pushers are registered.
const deployRefs = new Set(['refs/heads/main', 'refs/heads/master']);

/** Which service a request is for, from its path alone (and, for the refs advertisement, git's `service` parameter). */
function serviceOf(method: string | undefined, rest: string, query: string): { service: GitService } | { status: number; message: string } {
  if (rest === '/info/refs') {
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, message: 'info/refs is read with GET' };
    const params = new URLSearchParams(query);
    const asked = params.getAll('service');
    const name = asked.length === 1 && asked[0]!.startsWith('git-') ? asked[0]!.slice(4) : '';
    if (!services.has(name)) return { status: 400, message: "only git's smart HTTP protocol is served (service=git-upload-pack or git-receive-pack)" };
    return { service: name as GitService };
  }
  const name = rest.startsWith('/git-') ? rest.slice(5) : '';
  if (!services.has(name)) return { status: 404, message: 'not found' };
  if (method !== 'POST') return { status: 405, message: `git-${name} is called with POST` };
  return { service: name as GitService };
}

/** The request body, gunzipped when git sent it compressed. */
function decodedBody(req: IncomingMessage): Readable | { status: number; message: string } {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return req;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') return { status: 415, message: `content-encoding ${encoding.slice(0, 40)} is not accepted (gzip is)` };
  const gunzip = createGunzip();
  req.on('error', () => gunzip.destroy());
  return req.pipe(gunzip);
}

/**
 * Git's smart HTTP protocol. The service is chosen from the path alone (the refs advertisement's from
 * git's `service` parameter) and every request, the POST that carries the pack included, is authorised
 * for that service before anything reads its body or starts git.
 */
export function createGitHttp(opts: { reposDir: string; authorize: GitAuthorizer; pushes: PendingPushes; log: Logger; limits?: Partial<GitHttpLimits> }) {
  const limits = { ...defaultGitHttpLimits, ...opts.limits };
  const log = opts.log;

  /** Reads a push's command list, registers the pusher of each deployed branch it updates, then runs receive-pack. */
  const receive = (req: IncomingMessage, res: ServerResponse, body: Readable, app: string, dir: string, user: User): void => {
    const reader = new ReceiveCommandReader(limits);
    // What was read goes to git as it came (the commands included): the reader only looks.
    const seen: Buffer[] = [];
    const stop = (): void => {
      clearTimeout(deadline);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.pause();
    };
    const deadline = setTimeout(() => {
      stop();
      refuseGit(res, 408, 'timed out waiting for the push commands');
    }, limits.commandsTimeoutMs);
    const onData = (chunk: Buffer): void => {
      seen.push(chunk);
      const result = reader.push(chunk);
      if (result.state === 'more') return;
      stop();
      if (result.state === 'invalid') return refuseGit(res, 400, result.reason);
      const gone = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) gone.abort();
      });
      register(app, result.commands, user, req, gone.signal);
      runService(req, res, body, Buffer.concat(seen), 'receive-pack', dir, log);
    };
    const onEnd = (): void => {
      stop();
      refuseGit(res, 400, 'the request ended before the push commands did');
    };
    const onError = (err: Error): void => {
      stop();
      refuseGit(res, 400, `the request body could not be read: ${err.message}`);
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.on('error', onError);
  };

  const register = (app: string, commands: RefUpdate[], user: User, req: IncomingMessage, gone: AbortSignal): void => {
    const ip = req.socket.remoteAddress?.replace(/^::ffff:/, '');
    for (const c of commands) {
      if (!deployRefs.has(c.ref) || zeroId.test(c.new)) continue;
      opts.pushes.add(app, c.new, user, ip, gone);
      log.info({ app, commit: c.new, branch: c.ref.slice(11), user: user.email }, 'push received');
    }
  };

  return {
    /** Handles the request if it is for a repository; returns false otherwise. */
    async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      const m = repoPath.exec(req.url ?? '/');
      if (!m) return false;
      const app = m[1]!;
      const chosen = serviceOf(req.method, m[2] ?? '', m[3] ?? '');
      if ('status' in chosen) {
        refuseGit(res, chosen.status, chosen.message);
        return true;
      }
      const { service } = chosen;
      const verdict = await opts.authorize(req, app, service === 'receive-pack' ? 'push' : 'fetch');
      if ('status' in verdict) {
        if (verdict.challenge) res.setHeader('www-authenticate', 'Basic realm="paas"');
        refuseGit(res, verdict.status, verdict.message);
        return true;
      }
      const dir = `${opts.reposDir}/${app}.git`;
      if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) {
        refuseGit(res, 404, 'repository not found');
        return true;
      }
      if (req.method !== 'POST') {
        advertiseRefs(res, service, dir, log);
        return true;
      }
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== `application/x-git-${service}-request`) {
        refuseGit(res, 415, `git-${service} takes content-type application/x-git-${service}-request`);
        return true;
      }
      if (req.destroyed) {
        // The client went away while it was being authorised: nothing to read, nobody to answer.
        res.destroy();
        return true;
      }
      const body = decodedBody(req);
      if ('status' in body) {
        refuseGit(res, body.status, body.message);
        return true;
      }
      if (service === 'receive-pack') receive(req, res, body, app, dir, verdict.user);
      else runService(req, res, body, Buffer.alloc(0), service, dir, log);
      return true;
    },
  };
}
