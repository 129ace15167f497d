/**
 * Stacks end to end, one platform for the file: new apps build and run on trixie, `paas stack:set`
 * moves an app to bookworm on its next push (the running container's /etc/os-release says so, and
 * the other stack's build cache is not reused), and the built-in buildpacks on the stack that
 * test/builders/builders.test.ts does not use for them: Node.js on both, Python on trixie (3.13; its
 * tests there run on bookworm's 3.11), Go and static sites on bookworm (trixie there).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { runExec } from '../../apps/builder/src/docker-exec.js';

const fixtures = join(repoRoot, 'test/fixtures');
const docker = new Docker();

describe('stacks: trixie by default, bookworm on request, moved on the next push', { timeout: 1_200_000 }, () => {
  let p: Platform;
  let work: string;
  const suffix = randomBytes(2).toString('hex');
  let failed = false;
  const it = (name: string, fn: () => Promise<void>): void => {
    test(name, { timeout: 600_000 }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  };

  async function paasOk(args: string[], cwd?: string): Promise<string> {
    const res = await p.paas(args, cwd === undefined ? {} : { cwd });
    assert.equal(res.code, 0, `paas ${args.join(' ')}: ${res.stderr}`);
    return res.stdout;
  }

  async function newApp(name: string, fixture: string, stack?: string): Promise<{ app: string; dir: string }> {
    const app = `${name}-${suffix}`;
    await paasOk(['apps:create', app]);
    if (stack !== undefined) await paasOk(['stack:set', stack, '-a', app]);
    const dir = join(work, app);
    await mkdir(dir, { recursive: true });
    await cp(join(fixtures, fixture), dir, { recursive: true });
    await gitRepo(dir);
    await paasOk(['git:remote', '-a', app], dir);
    return { app, dir };
  }

  async function pushOk(dir: string): Promise<string> {
    const res = await gitPush(p, dir);
    assert.equal(res.code, 0, `${res.output}\n${await p.logs()}`);
    return res.output;
  }

  /** VERSION_CODENAME of /etc/os-release in the app's running web container. */
  async function runningCodename(app: string): Promise<string> {
    const [web] = await docker.listContainers({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`, 'paas.process=web.1'] } });
    assert.ok(web, `${app} has a running web.1`);
    const res = await runExec(docker.getContainer(web.Id), { cmd: ['cat', '/etc/os-release'], user: 'paas', captureStdout: true });
    assert.equal(res.exitCode, 0);
    return /^VERSION_CODENAME=(\w+)$/m.exec(res.stdout)?.[1] ?? `(none in ${res.stdout})`;
  }

  before(async () => {
    p = await startPlatform();
    work = await mkdtemp(join(tmpdir(), 'paas-stacks-'));
  });
  after(async () => {
    if (failed) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('Node.js: a new app runs on trixie; stack:set bookworm moves it on the next push, with a fresh cache', async () => {
    const { app, dir } = await newApp('node', 'node-express');
    const first = await pushOk(dir);
    assert.match(first, /remote: -----> Stack: trixie/);
    assert.match((await p.get(app)).body, /^hello from node v\d+/);
    assert.equal(await runningCodename(app), 'trixie');
    assert.match(await paasOk(['stack'], dir), new RegExp(`^=== ${app} Available Stacks\\n\\* trixie\\n  bookworm \\(deprecated\\)\\n$`));

    const set = await paasOk(['stack:set', 'bookworm'], dir);
    assert.match(set, new RegExp(`Setting the stack of ${app} to bookworm\\.\\.\\. done`));
    assert.match(set, new RegExp(`${app} runs on trixie until its next build: push again`));
    assert.match(await paasOk(['stack'], dir), /^\* trixie\n  bookworm \(deprecated\) \(active on next build\)$/m);
    assert.equal(await runningCodename(app), 'trixie', 'nothing moves before the next build');

    await writeFile(join(dir, 'README'), 'on bookworm\n');
    await commitAll(dir, 'move to bookworm');
    const moved = await pushOk(dir);
    assert.match(moved, /remote: -----> Stack: bookworm/);
    assert.match(moved, /remote: -----> The build cache is of stack trixie: this build on bookworm starts with an empty cache/);
    assert.doesNotMatch(moved, /Restoring cache/);
    assert.match((await p.get(app)).body, /^hello from node v\d+/);
    assert.equal(await runningCodename(app), 'bookworm');
    assert.match(await paasOk(['apps:info'], dir), /^Stack:\s+bookworm$/m);
    assert.match(await paasOk(['stack'], dir), /^  trixie\n\* bookworm \(deprecated\)$/m);
  });

  it("Python on trixie: the stack's 3.13; asking for 3.11 there is refused, naming the stack that has it", async () => {
    const { app, dir } = await newApp('py', 'python-app');
    const refused = await gitPush(p, dir);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /\.python-version asks for Python 3\.11, but the trixie stack has Python 3\.13\.\d+ only\. Ask for 3\.13, or move the app to the bookworm stack \(paas stack:set bookworm\)/);
    await writeFile(join(dir, '.python-version'), '3.13\n');
    await commitAll(dir, 'python 3.13');
    const out = await pushOk(dir);
    assert.match(out, /remote:\s+Python 3\.13 requested \(\.python-version\): using 3\.13\.\d+/);
    assert.match((await p.get(app)).body, /^hello from python 3\.13\.\d+/);
    assert.equal(await runningCodename(app), 'trixie');
  });

  it("Go on bookworm: bookworm's Go (1.23 from backports)", async () => {
    const { app, dir } = await newApp('go', 'go-app', 'bookworm');
    const out = await pushOk(dir);
    assert.match(out, /remote: -----> Stack: bookworm/);
    assert.match((await p.get(app)).body, /^hello from go go1\.23\./);
    assert.equal(await runningCodename(app), 'bookworm');
  });

  it('static site on bookworm', async () => {
    const { app, dir } = await newApp('site', 'static-site', 'bookworm');
    const out = await pushOk(dir);
    assert.match(out, /remote: -----> Static site app detected/);
    assert.match((await p.get(app)).body, /hello from a static site/);
    assert.equal(await runningCodename(app), 'bookworm');
  });
});
