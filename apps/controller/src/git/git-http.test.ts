// Git's smart HTTP protocol as served by createGitHttp, with the real git client and real bare
// repositories: the service is chosen from the path alone and authorised for that service; pushes and
// clones go through; a push registers its pusher for each branch it updates.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLogger } from '@paas/shared';
import type { User } from '../db/users.js';
import { createGitHttp, PendingPushes } from './git-http.js';

const run = promisify(execFile);
const git = (cwd: string, ...args: string[]) => run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd });

describe('git over HTTP', () => {
  let dir: string;
  let server: http.Server;
  let base: string;
  const asked: Array<{ app: string; kind: string }> = [];
  let mayPush = true;
  const pushes = new PendingPushes();
  const user = { id: 'u1', email: 'dev@example.com' } as User;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paas-git-http-'));
    await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', join(dir, 'shop.git')]);
    const gitHttp = createGitHttp({
      reposDir: dir,
      pushes,
      log: createLogger('test', 'silent'),
      authorize: async (_req, app, kind) => {
        asked.push({ app, kind });
        return kind === 'push' && !mayPush ? { status: 403, message: `you may not push ${app}` } : { user };
      },
    });
    server = http.createServer((req, res) => {
      gitHttp.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(418).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  test('a push and a clone go through; the pusher is registered for the deployed branch only', async () => {
    mayPush = true;
    const work = join(dir, 'work');
    await run('git', ['init', '--quiet', '--initial-branch=main', work]);
    await writeFile(join(work, 'README'), 'hello\n');
    await git(work, 'add', 'README');
    await git(work, 'commit', '--quiet', '-m', 'first');
    await git(work, 'tag', 'v1');
    await git(work, 'checkout', '--quiet', '-b', 'feature');
    await writeFile(join(work, 'FEATURE'), 'wip\n');
    await git(work, 'add', 'FEATURE');
    await git(work, 'commit', '--quiet', '-m', 'feature');
    const { stdout: featureHead } = await git(work, 'rev-parse', 'HEAD');
    await git(work, 'checkout', '--quiet', 'main');
    const { stdout: head } = await git(work, 'rev-parse', 'HEAD');
    await git(work, 'push', '--quiet', `${base}/shop.git`, 'main', 'feature', 'v1');
    const sha = head.trim();
    assert.equal(pushes.take('shop', sha)?.user.id, 'u1', 'registered for main (once per app and commit)');
    assert.equal(pushes.take('shop', featureHead.trim()), undefined, 'not for feature');
    const clone = join(dir, 'clone');
    await run('git', ['clone', '--quiet', `${base}/shop.git`, clone]);
    const { stdout } = await git(clone, 'log', '--format=%H');
    assert.equal(stdout.trim(), sha);
    const { stdout: tags } = await git(clone, 'tag');
    assert.equal(tags.trim(), 'v1');
  });

  test('finding: /<app>.git/x?service=git-upload-pack&/git-receive-pack was authorised as a fetch while receive-pack ran', async () => {
    mayPush = false;
    asked.length = 0;
    const res = await fetch(`${base}/shop.git/x?service=git-upload-pack&/git-receive-pack`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-git-receive-pack-request' },
      body: '0000',
    });
    assert.equal(res.status, 404);
    await res.arrayBuffer();
    assert.deepEqual(asked, [], 'no service, no authorisation, no git');

    // The service of a POST is its path's; the query cannot turn a push into a fetch.
    const post = await fetch(`${base}/shop.git/git-receive-pack?service=git-upload-pack`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-git-receive-pack-request' },
      body: '0000',
    });
    assert.equal(post.status, 403);
    await post.arrayBuffer();
    assert.deepEqual(asked, [{ app: 'shop', kind: 'push' }]);

    for (const [path, status] of [
      ['/shop.git/info/refs?service=git-receive-pack', 403],
      ['/shop.git/info/refs?service=git-upload-pack&service=git-receive-pack', 400],
      ['/shop.git/info/refs', 400],
      ['/shop.git/info/refs/../git-receive-pack', 404],
      ['/shop.git//git-receive-pack', 404],
      ['/shop.git/git-receive-pack/', 404],
    ] as const) {
      const r = await fetch(`${base}${path}`);
      assert.equal(r.status, status, path);
      await r.arrayBuffer();
    }
    // git itself: the push is refused, the fetch side still works.
    const work = join(dir, 'work');
    await assert.rejects(git(work, 'push', '--quiet', `${base}/shop.git`, 'main:refused'), /403|not push/);
    await run('git', ['ls-remote', `${base}/shop.git`]);
    mayPush = true;
  });
});
