/**
 * The pre-receive hook of every app repository (run by git-receive-pack with the repo as its working
 * directory). For a push to main or master it streams `git archive` of the new commit to the
 * controller and prints the build's output as it comes; git shows it to the pusher as `remote:` lines.
 * The push is accepted only when the controller ends its answer with `@@paas-exit 0`. The pushed
 * objects are still quarantined while this runs, so the archive must be made here.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';

const zero = /^0+$/;
const deployRefs = new Set(['refs/heads/main', 'refs/heads/master']);
const exitMarker = '@@paas-exit ';

function fail(message: string): never {
  process.stdout.write(` !     ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const repo = process.cwd();
  const app = basename(repo).replace(/\.git$/, '');
  let settings: { url: string; token: string };
  try {
    settings = JSON.parse(readFileSync(join(repo, '..', '.paas-hook.json'), 'utf8')) as { url: string; token: string };
  } catch {
    fail('this repository is not set up for paas (hook settings missing)');
  }

  let deploy: { sha: string; ref: string } | undefined;
  for await (const line of createInterface({ input: process.stdin })) {
    const [, sha, ref] = line.trim().split(/\s+/);
    if (!sha || !ref) continue;
    if (!deployRefs.has(ref)) {
      process.stdout.write(`-----> Ignoring ${ref}: only main or master is deployed\n`);
      continue;
    }
    if (zero.test(sha)) fail(`deleting ${ref} is not allowed: it is the deployed branch`);
    deploy ??= { sha, ref };
  }
  if (!deploy) return;

  const archive = spawn('git', ['archive', '--format=tar', deploy.sha], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = new URL(`/internal/git/${app}/receive`, settings.url);
  url.searchParams.set('commit', deploy.sha);
  url.searchParams.set('ref', deploy.ref);
  const code = await new Promise<number>((resolve) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/x-tar', 'x-paas-hook-token': settings.token } },
      (res) => {
        res.setEncoding('utf8');
        if (res.statusCode !== 200) {
          let body = '';
          res.on('data', (c: string) => (body += c));
          res.on('end', () => {
            let message = body.trim() || `the controller answered ${res.statusCode}`;
            try {
              message = (JSON.parse(body) as { message?: string }).message ?? message;
            } catch {
              /* plain text */
            }
            process.stdout.write(` !     ${message}\n`);
            resolve(1);
          });
          return;
        }
        let pending = '';
        let exit = 1;
        res.on('data', (chunk: string) => {
          pending += chunk;
          let nl;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (line.startsWith(exitMarker)) exit = Number(line.slice(exitMarker.length));
            else process.stdout.write(`${line}\n`);
          }
        });
        res.on('end', () => resolve(exit));
        res.on('error', () => resolve(1));
      },
    );
    req.on('error', (err) => {
      process.stdout.write(` !     cannot reach the paas controller: ${err.message}\n`);
      resolve(1);
    });
    archive.on('error', (err) => {
      process.stdout.write(` !     cannot archive the pushed commit: ${err.message}\n`);
      req.destroy();
      resolve(1);
    });
    archive.stdout.pipe(req);
  });
  process.exit(code);
}

main().catch((err: Error) => fail(err.message));
