/**
 * The builders end to end, one platform for the file: fixture apps pushed with the real git client
 * through the controller, BullMQ, the builder on the real Docker engine, the release and the router.
 * Python, Go and static sites with the built-in buildpacks; a third-party-style buildpack by git
 * URL (buildpacks:set, and a .buildpacks file); Dockerfile deploys on the run image and FROM scratch;
 * a warm rebuild from the cache and a cache purge; cancelling a build with Ctrl-C on git push.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { gunzipSync } from 'node:zlib';
import Docker from 'dockerode';
import { commitAll, gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';

const fixtures = join(repoRoot, 'test/fixtures');

/** Writes a minimal pure-Python wheel (module hello_greeting) to argv[1], RECORD hashes and all. */
const wheelScript = `
import base64, hashlib, sys, zipfile
files = {
    "hello_greeting/__init__.py": 'GREETING = "hello from a wheel"\\n',
    "hello_greeting-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: hello-greeting\\nVersion: 1.0\\n",
    "hello_greeting-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: paas-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("hello_greeting-1.0.dist-info/RECORD,,")
    z.writestr("hello_greeting-1.0.dist-info/RECORD", "\\n".join(record) + "\\n")
`;
const docker = new Docker();

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request through the router with the app's host name; a gzip body is unpacked. */
function routerGet(p: Platform, app: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: p.routerPort, path, headers: { host: `${app}.localhost`, ...headers }, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8') });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Whether each path exists in an image (read from a created, never started, container). */
async function filesInImage(image: string, paths: string[]): Promise<boolean[]> {
  const probe = await docker.createContainer({ Image: image, Labels: { 'paas.cluster': 'builders-test-probe' } });
  try {
    const found: boolean[] = [];
    for (const path of paths) {
      try {
        const tar = await probe.getArchive({ path });
        tar.resume(); // an export left unread holds the container
        await once(tar, 'end');
        found.push(true);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
        found.push(false);
      }
    }
    return found;
  } finally {
    await probe.remove({ force: true });
  }
}

describe('builders: every kind of app deployed by git push', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  let bpRepo: string;
  const suffix = randomBytes(2).toString('hex');
  let failed = false;
  /** A test with its own time limit, that has the platform's logs printed when it fails. */
  const it = (name: string, fn: () => Promise<void>): void => {
    test(name, { timeout: 300_000 }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = true;
        throw err;
      }
    });
  };

  /** A new app from a fixture (plus extra files), its git repository and paas remote; on the default stack unless `stack` says. */
  async function newApp(name: string, fixture: string | undefined, files: Record<string, string> = {}, stack?: string): Promise<{ app: string; dir: string }> {
    const app = `${name}-${suffix}`;
    const created = await p.paas(['apps:create', app]);
    assert.equal(created.code, 0, created.stderr);
    if (stack !== undefined) {
      const set = await p.paas(['stack:set', stack, '-a', app]);
      assert.equal(set.code, 0, set.stderr);
    }
    const dir = join(work, app);
    await mkdir(dir, { recursive: true });
    if (fixture) await cp(join(fixtures, fixture), dir, { recursive: true });
    for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
    await gitRepo(dir);
    const remote = await p.paas(['git:remote', '-a', app], { cwd: dir });
    assert.equal(remote.code, 0, remote.stderr);
    return { app, dir };
  }

  async function pushOk(dir: string): Promise<string> {
    const res = await gitPush(p, dir);
    assert.equal(res.code, 0, `${res.output}\n${await p.logs()}`);
    return res.output;
  }

  before(async () => {
    p = await startPlatform({ env: { PAAS_BUILDPACK_ALLOW_FILE_URLS: '1' } });
    work = await mkdtemp(join(tmpdir(), 'paas-builders-'));
    // The third-party-style buildpack, as a git repository reached by a file:// URL.
    bpRepo = join(work, 'hello-bp.git-src');
    await cp(join(fixtures, 'buildpacks/hello-bp'), bpRepo, { recursive: true });
    await gitRepo(bpRepo);
    await new Promise<void>((resolve, reject) =>
      spawn('git', ['tag', 'v1'], { cwd: bpRepo }).on('close', (code) => (code === 0 ? resolve() : reject(new Error('git tag failed')))),
    );
  });
  after(async () => {
    if (failed) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  // The Python tests run on bookworm (the fixture asks for its 3.11); test/stacks/stacks.test.ts has Python on trixie.
  it('Python: the build image’s Python in the slug, a warm rebuild from the cache, a purge, builds listed', async () => {
    const { app, dir } = await newApp('py', 'python-app', {}, 'bookworm');
    const first = await pushOk(dir);
    assert.match(first, /remote: -----> Python app detected/);
    assert.match(first, /remote:\s+Python 3\.11 requested \(\.python-version\): using 3\.11\.\d+/);
    assert.match(first, /remote:\s+Default types for buildpack -> web/);
    assert.match((await p.get(app)).body, /^hello from python 3\.11\.\d+/);

    // A code-only change: the environment and the runtime layer come from the first build.
    await writeFile(join(dir, 'app.py'), (await readFile(join(dir, 'app.py'), 'utf8')).replace('hello from python', 'hello again from python'));
    await commitAll(dir, 'v2');
    const warm = await pushOk(dir);
    assert.match(warm, /remote: -----> Restoring cache/);
    assert.match(warm, /remote:\s+Python 3\.11\.\d+ from the cache/);
    assert.match(warm, /remote:\s+Layer \/app\/\.heroku\/python: [\d.]+M \(unchanged, reused\)/);
    assert.doesNotMatch(warm, /Installing dependencies/);
    assert.match((await p.get(app)).body, /^hello again from python/);

    // Purged: the next build starts from nothing.
    const purge = await p.paas(['builds:cache:purge'], { cwd: dir });
    assert.equal(purge.code, 0, purge.stderr);
    await writeFile(join(dir, 'README'), 'v3\n');
    await commitAll(dir, 'v3');
    const purged = await pushOk(dir);
    assert.match(purged, /remote: -----> Build cache purged: this build starts with an empty cache/);
    assert.match(purged, /remote: -----> Installing dependencies/);

    const builds = await p.paas(['builds', '--json'], { cwd: dir });
    const list = JSON.parse(builds.stdout) as { id: string; status: string; buildpack: string }[];
    assert.deepEqual(list.map((b) => [b.status, b.buildpack]), [['succeeded', 'python'], ['succeeded', 'python'], ['succeeded', 'python']]);
    const table = await p.paas(['builds'], { cwd: dir });
    assert.match(table.stdout, new RegExp(`^=== ${app} Builds\\n${list[0]!.id}  succeeded  [0-9a-f]{7}  python  \\d+s`));
    const output = await p.paas(['builds:output', list[2]!.id], { cwd: dir });
    assert.match(output.stdout, /-----> Python app detected/);

    // Asking for a Python the builder lacks is refused, saying which one it has.
    await writeFile(join(dir, '.python-version'), '3.12\n');
    await commitAll(dir, 'python 3.12');
    const refused = await gitPush(p, dir);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /\.python-version asks for Python 3\.12, but the bookworm stack has Python 3\.11\.\d+ only/);
    assert.match((await p.get(app)).body, /^hello again from python/, 'the live release keeps serving');
  });

  it('Python: requirements.txt installed with pip into the slug (a wheel shipped in the repository; no package index here)', async () => {
    const app = await readFile(join(fixtures, 'python-app', 'app.py'), 'utf8');
    const { app: name, dir } = await newApp('pywheel', 'python-app', {
      'app.py': app.replace('import sys\n', 'import sys\nfrom hello_greeting import GREETING\n').replace('f"hello from python', 'f"{GREETING} on python'),
      'requirements.txt': './wheels/hello_greeting-1.0-py3-none-any.whl\n',
    }, 'bookworm');
    await mkdir(join(dir, 'wheels'));
    await new Promise<void>((resolve, reject) =>
      spawn('python3', ['-c', wheelScript, join(dir, 'wheels', 'hello_greeting-1.0-py3-none-any.whl')], { stdio: 'inherit' }).on('close', (code) =>
        code === 0 ? resolve() : reject(new Error('making the wheel failed')),
      ),
    );
    await commitAll(dir, 'a dependency');
    const out = await pushOk(dir);
    assert.match(out, /remote:\s+Installing from requirements\.txt with pip/);
    assert.match(out, /remote:\s+Successfully installed hello-greeting-1\.0/);
    assert.match((await p.get(name)).body, /^hello from a wheel on python 3\.11\.\d+/);
  });

  it('Go: a static binary only; a module that needs the proxy fails saying so', async () => {
    const { app, dir } = await newApp('go', 'go-app');
    const out = await pushOk(dir);
    assert.match(out, /remote: -----> Go app detected/);
    assert.match(out, /remote:\s+Built bin\/hello-go/);
    assert.match((await p.get(app)).body, /^hello from go go1\.\d+/);
    const [image] = await docker.listImages({ filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`] } });
    assert.deepEqual(await filesInImage(image!.Id, ['/app/bin/hello-go', '/app/main.go', '/app/go.mod']), [true, false, false], 'the binary, not the sources');

    const { dir: modDir } = await newApp('gomod', 'go-app', {
      'go.mod': 'module example.com/needs-proxy\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n',
    });
    const failed = await gitPush(p, modDir);
    assert.notEqual(failed.code, 0);
    assert.match(failed.output, /Go modules could not be downloaded \(GOPROXY=https:\/\/proxy\.golang\.org,direct\)/);
  });

  it('static site: content types, index.html for directories, clean URLs, 404 page, gzip', async () => {
    const { app, dir } = await newApp('site', 'static-site');
    const out = await pushOk(dir);
    assert.match(out, /remote: -----> Static site app detected/);
    const home = await routerGet(p, app, '/');
    assert.equal(home.status, 200);
    assert.equal(home.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(home.body, /hello from a static site/);
    const css = await routerGet(p, app, '/css/site.css', { 'accept-encoding': 'gzip' });
    assert.equal(css.status, 200);
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(css.headers['content-encoding'], 'gzip');
    assert.equal(css.headers['cache-control'], 'public, max-age=3600', 'static.json headers');
    assert.match(css.body, /\.c199 \{/);
    const dirNoSlash = await routerGet(p, app, '/docs');
    assert.equal(dirNoSlash.status, 301);
    assert.equal(dirNoSlash.headers['location'], '/docs/');
    assert.match((await routerGet(p, app, '/docs/')).body, /the docs index/);
    assert.match((await routerGet(p, app, '/about')).body, /about this site/, 'clean URLs');
    const missing = await routerGet(p, app, '/no/such/page');
    assert.equal(missing.status, 404);
    assert.match(missing.body, /custom not found page/);
    assert.equal((await routerGet(p, app, '/static.json')).status, 404, 'only the root is served');
  });

  it('Dockerfile on the run image: config vars as build args when asked, EXPOSE decides the port, CMD is web', async () => {
    const { app, dir } = await newApp('df', 'dockerfile-app');
    const set = await p.paas(['config:set', 'GREETING=bonjour', 'PAAS_DOCKERFILE_BUILD_ARGS=1'], { cwd: dir });
    assert.equal(set.code, 0, set.stderr);
    const out = await pushOk(dir);
    assert.match(out, /remote: -----> Building with the Dockerfile/);
    assert.match(out, /remote:\s+Build args from config vars: GREETING/);
    assert.match(out, /remote:\s+Port 8080 \(from EXPOSE\)/);
    assert.match(out, /remote:\s+Dockerfile ENTRYPOINT\/CMD -> web: \/usr\/local\/bin\/paas-exec busybox httpd/);
    // busybox httpd listens on 8080 only: this answer proves the platform sent traffic there
    assert.match((await p.get(app)).body, /^bonjour from a Dockerfile/);

    // A Dockerfile that fails to build refuses the push with the engine's reason; the release stays.
    await writeFile(join(dir, 'Dockerfile'), 'FROM paas/run:bookworm\nRUN echo about to fail && exit 3\n');
    await commitAll(dir, 'broken');
    const broken = await gitPush(p, dir);
    assert.notEqual(broken.code, 0);
    assert.match(broken.output, /The Dockerfile build failed: The command '\/bin\/sh -c echo about to fail && exit 3' returned a non-zero code: 3/);
    assert.match((await p.get(app)).body, /^bonjour from a Dockerfile/);

    // The engine's build cache serves a rebuild of the same steps; after builds:cache:purge it does not.
    await writeFile(join(dir, 'Dockerfile'), await readFile(join(fixtures, 'dockerfile-app', 'Dockerfile'), 'utf8'));
    await writeFile(join(dir, 'README.md'), 'a change outside the Dockerfile\n');
    await commitAll(dir, 'fixed');
    const cached = await pushOk(dir);
    assert.match(cached, /remote:\s+---> Using cache/);
    assert.doesNotMatch(cached, /Build cache purged/);
    const purge = await p.paas(['builds:cache:purge'], { cwd: dir });
    assert.equal(purge.code, 0, purge.stderr);
    await writeFile(join(dir, 'README.md'), 'another change\n');
    await commitAll(dir, 'after the purge');
    const purged = await pushOk(dir);
    assert.match(purged, /remote: -----> Build cache purged: this build starts with an empty cache/);
    assert.doesNotMatch(purged, /Using cache/);
    assert.match((await p.get(app)).body, /^bonjour from a Dockerfile/);
  });

  it('Dockerfile FROM scratch: a multi-stage build, the Procfile’s command run without a shell', async () => {
    const { app, dir } = await newApp('scratch', 'dockerfile-scratch');
    const out = await pushOk(dir);
    assert.match(out, /remote:\s+Procfile declares types -> web/);
    assert.match(out, /remote:\s+Port: \$PORT/);
    assert.match((await p.get(app)).body, /^hello from a Procfile \(no shell here: true\)/);
  });

  it('a third-party buildpack by git URL runs unchanged: buildpacks:set with #ref, and a .buildpacks file over a Dockerfile', async () => {
    const url = `file://${bpRepo}#v1`;
    const { app, dir } = await newApp('hello', 'hello-bp-app');
    const set = await p.paas(['buildpacks:set', url], { cwd: dir });
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /Buildpack set\. The next build of .* will use file:\/\//);
    assert.match((await p.paas(['buildpacks'], { cwd: dir })).stdout, new RegExp(`=== ${app} Buildpack\\n1\\. file://.*#v1`));
    assert.equal((await p.paas(['config:set', 'GREETING=howdy'], { cwd: dir })).code, 0);
    const out = await pushOk(dir);
    assert.match(out, /remote: -----> Fetched buildpack file:\/\/.*#v1 at [0-9a-f]{12}/);
    assert.match(out, /remote: -----> Hello app detected/);
    assert.match(out, /remote:\s+compiling as paas \(uid 1000\), build number 1/);
    assert.match((await p.get(app)).body, /^howdy, world \(build 1, compiled by uid 1000\)/);
    // The cache directory survives: the buildpack counts its builds there.
    await writeFile(join(dir, 'hello.txt'), 'again\n');
    await commitAll(dir, 'again');
    assert.match(await pushOk(dir), /build number 2/);

    const bad = await p.paas(['buildpacks:set', 'cobol'], { cwd: dir });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /Unknown buildpack "cobol"/);
    // A buildpack that cannot be fetched refuses the push, saying so.
    assert.equal((await p.paas(['buildpacks:set', `file://${work}/no-such-buildpack`], { cwd: dir })).code, 0);
    await writeFile(join(dir, 'hello.txt'), 'third\n');
    await commitAll(dir, 'third');
    const unfetchable = await gitPush(p, dir);
    assert.notEqual(unfetchable.code, 0);
    assert.match(unfetchable.output, /Buildpack file:\/\/.*\/no-such-buildpack could not be fetched/);
    // The same buildpack as a tarball (a GitHub-style archive with a top directory) runs unchanged.
    const tgz = join(work, 'hello-bp.tgz');
    await new Promise<void>((resolve, reject) =>
      spawn('tar', ['-C', join(fixtures, 'buildpacks'), '--transform', 's,^hello-bp,hello-bp-1.0,', '-czf', tgz, 'hello-bp']).on('close', (code) =>
        code === 0 ? resolve() : reject(new Error('tar failed')),
      ),
    );
    assert.equal((await p.paas(['buildpacks:set', `file://${tgz}`], { cwd: dir })).code, 0);
    const fromTarball = await pushOk(dir);
    assert.match(fromTarball, /remote: -----> Fetched buildpack file:\/\/.*hello-bp\.tgz at sha256:[0-9a-f]{12}/);
    assert.match(fromTarball, /remote: -----> Hello app detected/);
    assert.equal((await p.paas(['buildpacks:clear'], { cwd: dir })).code, 0);
    assert.match((await p.paas(['buildpacks'], { cwd: dir })).stdout, /has no buildpacks set/);

    // A .buildpacks file names the buildpack; it wins over the Dockerfile in the same repository.
    const { app: other, dir: otherDir } = await newApp('dotbp', 'hello-bp-app', {
      '.buildpacks': `# built by\n${url}\n`,
      Dockerfile: 'FROM scratch\n',
    });
    const dotOut = await pushOk(otherDir);
    assert.match(dotOut, /remote: -----> Using buildpacks \(from \.buildpacks\):/);
    assert.match((await p.get(other)).body, /^hello, world \(build 1/);
  });

  it('Ctrl-C on git push cancels the build: its container is killed and it ends failed, cancelled', async () => {
    const pkg = { name: 'slow', version: '1.0.0', scripts: { build: 'echo slow build starts && sleep 300', start: 'node index.js' } };
    const { app, dir } = await newApp('cancel', undefined, { 'package.json': JSON.stringify(pkg), 'index.js': 'require("http").createServer((q, s) => s.end("x")).listen(process.env.PORT)\n' });
    const child = spawn('git', ['push', 'paas', 'main'], { cwd: dir, env: { ...p.env, GIT_TERMINAL_PROMPT: '0' }, detached: true });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the build never reached its slow step:\n${output}`)), 240_000);
      const onData = (b: Buffer): void => {
        output += b.toString();
        if (output.includes('slow build starts')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((resolve) => child.on('close', resolve));

    const buildContainers = async (): Promise<number> =>
      (await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${p.cluster}`, `paas.app=${app}`, 'paas.role=build'] } })).length;
    let builds: { status: string; error: string | null }[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      builds = JSON.parse((await p.paas(['builds', '--json', '-a', app])).stdout) as typeof builds;
      if (builds[0]?.status === 'failed' && (await buildContainers()) === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(builds[0]?.status, 'failed', JSON.stringify(builds));
    assert.match(builds[0]?.error ?? '', /cancelled/);
    assert.equal(await buildContainers(), 0, 'the build container is gone');
    assert.deepEqual(JSON.parse((await p.paas(['releases', '--json', '-a', app])).stdout), [], 'nothing was released');
  });
});
