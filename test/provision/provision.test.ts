/**
 * `paas hosts:provision` against a real SSH server (issue 19): a container running Debian's
 * openssh-server, logged into with a key this test generates, with Debian's docker.io installed but
 * not configured (paas/ssh-host:bookworm: the repair scenario; no apt-get here). Provisioning
 * configures TLS from paas's CA, the scheduler places a process there, `hosts:env` works with the
 * docker CLI, a second run repairs a broken daemon.json, a changed SSH host key is refused, and
 * deprovisioning stops the TLS listener.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { eventually } from '@paas/test-kit';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { startSshHost, type SshHost } from '../helpers/ssh-host.js';

const run = promisify(execFile);

describe('provisioning a host over SSH', { timeout: 900_000 }, () => {
  let p: Platform;
  let host: SshHost;
  let work: string;
  const name = `prov-${randomBytes(2).toString('hex')}`;
  const app = `onprov-${randomBytes(3).toString('hex')}`;
  const sockets = new Set<Socket>();
  let silent: Server | undefined;

  before(async () => {
    [host, p] = await Promise.all([
      startSshHost('installed', 'prov'),
      startPlatform({ env: { PAAS_HOST_CHECK_INTERVAL: '1', PAAS_RECONCILE_INTERVAL: '3', PAAS_DRAIN_SECONDS: '1', PAAS_STOP_GRACE: '1' } }),
    ]);
    work = await mkdtemp(join(tmpdir(), 'paas-prov-'));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    silent?.close();
    await p?.stop();
    await host?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const provision = (extra: string[] = []) => p.paas(['hosts:provision', name, `ssh://root@${host.address}`, '--key', host.keyFile, ...extra]);

  test('hosts:provision shows each step, makes the engine listen with TLS only, and registers the host', async (t) => {
    const r = await provision();
    t.diagnostic(r.stdout);
    assert.equal(r.code, 0, r.stderr);
    for (const step of ['connect', 'check-os', 'install-engine', 'certificates', 'configure-engine', 'restart-engine', 'verify', 'register']) {
      assert.match(r.stdout, new RegExp(`^ {7}${step}: done`, 'm'), step);
    }
    assert.match(r.stdout, /check-os: done \(Debian GNU\/Linux 12 \(bookworm\)\)/);
    assert.match(r.stdout, /install-engine: done \(docker\.io is installed\)/);
    const hosts = JSON.parse((await p.paas(['hosts', '--json'])).stdout) as { name: string; status: string; docker_url: string; tls: boolean; provisioned: boolean }[];
    const mine = hosts.find((h) => h.name === name);
    assert.deepEqual([mine?.status, mine?.docker_url, mine?.tls, mine?.provisioned], ['up', `tcp://${host.address}:2376`, true, true]);
    // TLS with client certificates only: a client without one is refused; nothing listens on 2375
    await assert.rejects(
      new Promise((resolve, reject) => {
        const s = connect({ host: host.address, port: 2376, rejectUnauthorized: false }, () => s.write('GET /version HTTP/1.0\r\n\r\n'));
        s.on('data', (d) => resolve(d.toString()));
        s.on('error', reject);
        s.on('end', () => reject(new Error('closed without an answer')));
      }),
    );
    const listening = await host.exec(['sh', '-c', 'ss -ltnH | awk \'{print $4}\'']);
    assert.match(listening, /:2376\b/);
    assert.doesNotMatch(listening, /:2375\b/);
  });

  test('hosts:env works with the docker CLI (eval), with the certificate files private', async () => {
    const r = await p.paas(['hosts:env', name]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^export DOCKER_HOST='tcp://${host.address.replaceAll('.', '\\.')}:2376'$`, 'm'));
    const certPath = /^export DOCKER_CERT_PATH='([^']+)'$/m.exec(r.stdout)?.[1];
    assert.ok(certPath?.startsWith(p.home), certPath);
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) assert.equal((await stat(join(certPath!, f))).mode & 0o777, 0o600, f);
    const { stdout } = await run('bash', ['-c', `eval "$1" && docker info --format '{{.Name}}' && docker ps --format '{{.Names}}'`, 'bash', r.stdout]);
    assert.match(stdout, new RegExp(`^${host.name}$`, 'm'));
  });

  test('the scheduler places a process on the provisioned host', async () => {
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    // only the provisioned host takes new processes
    assert.equal((await p.paas(['hosts:drain', 'local'])).code, 0);
    try {
      const dir = join(work, 'app');
      await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
      await gitRepo(dir);
      assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
      const pushed = await gitPush(p, dir);
      assert.equal(pushed.code, 0, pushed.output);
      const ps = JSON.parse((await p.paas(['ps', '--json', '-a', app])).stdout) as { name: string; host: string; state: string }[];
      assert.deepEqual(ps.map((d) => [d.name, d.host]), [['web.1', name]]);
      const res = await p.get(app);
      assert.equal(res.status, 200, res.body);
    } finally {
      const undrained = await p.paas(['hosts:undrain', 'local']);
      if (undrained.code !== 0) throw new Error(`hosts:undrain local: ${undrained.stderr}`);
    }
  });

  test('a second run repairs a broken daemon.json (the broken file kept aside)', async () => {
    await host.exec(['sh', '-c', 'printf "{ broken" > /etc/docker/daemon.json && kill "$(cat /var/run/docker.pid)"']);
    await eventually(async () => (JSON.parse((await p.paas(['hosts', '--json'])).stdout) as { name: string; status: string }[]).find((h) => h.name === name)?.status === 'down', 'the host is seen down', { timeoutMs: 60_000 });
    const r = await provision();
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configure-engine: done \(daemon\.json did not parse: replaced/);
    const json = JSON.parse(await host.exec(['cat', '/etc/docker/daemon.json'])) as Record<string, unknown>;
    assert.equal(json['tlsverify'], true);
    assert.match(await host.exec(['sh', '-c', 'ls /etc/docker']), /daemon\.json\.broken-\d+/);
    await eventually(async () => (JSON.parse((await p.paas(['hosts', '--json'])).stdout) as { name: string; status: string }[]).find((h) => h.name === name)?.status === 'up', 'the host is up again', { timeoutMs: 60_000 });
  });

  test('hostile input: bad URLs and keys are refused with a clear error; a server that says nothing times out', async () => {
    const badUrl = await p.paas(['hosts:provision', 'x1', 'ssh://root@bad host', '--key', host.keyFile]);
    assert.notEqual(badUrl.code, 0);
    assert.match(badUrl.stderr, /not an ssh:\/\/user@address URL/);
    const notKey = await p.paas(['hosts:provision', 'x1', `ssh://root@${host.address}`, '--key', '/etc/hostname']);
    assert.match(notKey.stderr, /is not a private key file/);
    const badName = await p.paas(['hosts:provision', 'Bad_Name', `ssh://root@${host.address}`, '--key', host.keyFile]);
    assert.notEqual(badName.code, 0);
    // an SSH server that accepts and never speaks
    silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    const hung = await p.paas(['hosts:provision', 'x2', 'ssh://root@127.0.0.1', '--port', String(port), '--key', host.keyFile]);
    assert.notEqual(hung.code, 0);
    assert.match(hung.stderr, /ssh 127\.0\.0\.1:\d+: .*(no SSH session within|Timed out)/i);
    // a user the server refuses
    const refused = await p.paas(['hosts:provision', 'x3', `ssh://nobody@${host.address}`, '--key', host.keyFile]);
    assert.match(refused.stderr, /authentication failed|refused the key/);
    assert.equal((JSON.parse((await p.paas(['hosts', '--json'])).stdout) as { name: string }[]).some((h) => /^x\d$/.test(h.name)), false);
  });

  test('a changed SSH host key is refused (pinned on first use)', async () => {
    await host.exec(['sh', '-c', 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null']);
    const r = await provision();
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /the host key changed .* refusing to connect/);
  });

  test('hosts:deprovision drains and removes the host and stops its TLS listener', async () => {
    // the machine's key changed in the test before: forget the pin as an operator would after a reinstall
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: p.env['DATABASE_URL'] });
    await client.connect();
    await client.query('DELETE FROM ssh_host_keys WHERE address = $1', [host.address]);
    await client.end();
    const r = await p.paas(['hosts:deprovision', name]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /drain: done/);
    assert.match(r.stdout, /configure-engine: done \(the engine listens on its local socket only\)/);
    assert.equal((JSON.parse((await p.paas(['hosts', '--json'])).stdout) as { name: string }[]).some((h) => h.name === name), false);
    await eventually(async () => !/:2376\b/.test(await host.exec(['sh', '-c', 'ss -ltnH | awk \'{print $4}\''])), 'no listener on 2376', { timeoutMs: 30_000 });
    const json = JSON.parse(await host.exec(['cat', '/etc/docker/daemon.json'])) as Record<string, unknown>;
    assert.equal(json['hosts'], undefined);
    // the app's process moved back to the local host
    const ps = JSON.parse((await p.paas(['ps', '--json', '-a', app])).stdout) as { host: string }[];
    assert.deepEqual(ps.map((d) => d.host), ['local']);
  });
});
