/**
 * Runs `git upload-pack` / `git receive-pack` in stateless-RPC mode for one HTTP request, with every
 * stream's and the child's errors handled: a client that goes away, a pack git refuses halfway (its
 * stdin then fails with EPIPE), a body that cannot be decoded, or a git that cannot start never
 * reaches the process as an unhandled error. The child never outlives the request by more than it
 * takes to finish what it started (a push's hook keeps running while the build it reports on does).
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from '@paas/shared';

export type GitService = 'upload-pack' | 'receive-pack';

const stderrKept = 4096;

/** Answers a git request with a short plain-text refusal (if nothing was sent yet) and closes. */
export function refuseGit(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.statusCode = status;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('connection', 'close');
  res.end(`${message}\n`);
}

function noCache(res: ServerResponse): void {
  res.setHeader('expires', 'Fri, 01 Jan 1980 00:00:00 GMT');
  res.setHeader('pragma', 'no-cache');
  res.setHeader('cache-control', 'no-cache, max-age=0, must-revalidate');
}

function pktLine(text: string): string {
  return (text.length + 4).toString(16).padStart(4, '0') + text;
}

/** `GET …/info/refs?service=git-<service>`: the refs advertisement. */
export function advertiseRefs(res: ServerResponse, service: GitService, dir: string, log: Logger): void {
  const child = spawn('git', [service, '--stateless-rpc', '--advertise-refs', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr = collect(child.stderr);
  child.on('error', (err) => {
    log.error({ err, service }, 'git could not start');
    refuseGit(res, 500, 'git is not available on the server');
  });
  child.stdout.on('error', () => undefined);
  res.on('close', () => {
    if (!res.writableFinished) child.kill('SIGTERM');
  });
  res.setHeader('content-type', `application/x-git-${service}-advertisement`);
  noCache(res);
  let started = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (!started) {
      started = true;
      res.write(`${pktLine(`# service=git-${service}\n`)}0000`);
    }
    if (!res.write(chunk)) {
      child.stdout.pause();
      res.once('drain', () => child.stdout.resume());
    }
  });
  child.on('close', (code) => {
    if (code !== 0) {
      log.warn({ service, code, stderr: stderr() }, 'git advertise-refs failed');
      if (!started) return refuseGit(res, 500, 'git failed to list the refs');
    }
    if (!res.writableEnded) res.end();
  });
  // The child is gone before `close` when the client is: stop reading so it is not held up.
  res.on('close', () => child.stdout.resume());
}

export interface ServiceRun {
  /** Called once git has ended, with its exit code (null: killed). */
  onExit?: (code: number | null) => void;
}

/**
 * Pipes `first` and then `body` (the decoded request body) into git's stdin and git's stdout into
 * the answer. `body` errors (a broken gzip stream, a client gone) stop git; git ending early (a
 * corrupt pack) stops reading the body and answers what git said.
 */
export function runService(
  req: IncomingMessage,
  res: ServerResponse,
  body: Readable,
  first: Buffer,
  service: GitService,
  dir: string,
  log: Logger,
  run: ServiceRun = {},
): void {
  const child = spawn('git', [service, '--stateless-rpc', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr = collect(child.stderr);
  let exited = false;
  const stopReading = (): void => {
    body.unpipe(child.stdin);
    // What the client still sends is read and dropped (the request deadlines bound it).
    body.resume();
  };
  child.on('error', (err) => {
    log.error({ err, service }, 'git could not start');
    stopReading();
    refuseGit(res, 500, 'git is not available on the server');
  });
  child.stdin.on('error', (err: NodeJS.ErrnoException) => {
    // EPIPE: git stopped reading (it refused the pack and is answering why).
    log.debug({ err, service }, 'git stopped reading the request');
    stopReading();
  });
  child.stdout.on('error', () => undefined);
  // Whether the body has ended or failed: git may exit before a broken body says so (a truncated gzip
  // body errs only at its end, and how soon after the last bytes depends on the node version).
  let bodySettled = false;
  body.once('end', () => (bodySettled = true));
  body.on('error', (err: Error) => {
    bodySettled = true;
    if (exited) return;
    log.info({ err: err.message, service }, 'git request body failed');
    child.stdin.destroy();
    child.kill('SIGTERM');
    refuseGit(res, 400, `the request body could not be read: ${err.message}`);
  });
  // A client gone before the end of its body (perhaps while it was being authorised): git sees the
  // end of its input and gives up.
  const clientGone = (): void => {
    if (!req.complete) child.stdin.destroy();
  };
  if (req.destroyed) clientGone();
  else req.on('close', clientGone);

  res.setHeader('content-type', `application/x-git-${service}-result`);
  noCache(res);
  // Not ended by git's output ending: the answer ends in `finish` below, once the body has settled,
  // so a body that fails after git gave up still gets its 400.
  child.stdout.pipe(res, { end: false });
  res.on('close', () => {
    // The client went away: git (and a push's hook) finishes unheard rather than blocking on a full pipe.
    if (!res.writableFinished) child.stdout.resume();
  });
  child.on('close', (code) => {
    stopReading();
    if (code !== 0) log.info({ service, code, stderr: stderr() }, 'git ended with an error');
    const finish = (): void => {
      if (exited) return;
      exited = true;
      if (!res.writableEnded && !res.destroyed) res.end();
      run.onExit?.(code);
    };
    // The answer ends once the body has settled too: a body that fails late still gets its 400.
    // ('close' comes after 'end' or after 'error' and its 400, and when the body is destroyed.)
    if (bodySettled || body.destroyed) finish();
    else body.once('close', finish);
  });

  if (first.length) child.stdin.write(first);
  body.pipe(child.stdin);
}

/** Keeps the last few KB of a child's stderr for the log. */
function collect(stream: Readable): () => string {
  let kept = '';
  stream.setEncoding('utf8');
  stream.on('data', (s: string) => {
    kept = (kept + s).slice(-stderrKept);
  });
  stream.on('error', () => undefined);
  return () => kept.trim();
}
