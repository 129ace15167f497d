/**
 * Logs and metrics end to end on the real platform: a deployed app's own lines, the router's line
 * for a request and the release event in `paas logs`; `--tail` receiving new lines; drains to a
 * local HTTPS receiver (self-signed certificate, trusted through PAAS_DRAIN_CA_FILE) and a syslog
 * TCP receiver getting every line, including those written while they were down; a 1 MB line and
 * binary output split and escaped; `/metrics` as Prometheus text with per-container series.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HttpsReceiver, SyslogReceiver, selfSignedCert, type TestCert } from '../../apps/controller/src/logs/test-drain-receivers.js';
import { parsePrometheusText } from '../../apps/controller/src/metrics/prometheus-text.js';
import { gitPush, gitRepo, paasBin, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { eventually } from '@paas/test-kit';

/** How long and how often the waits below poll. */
const wait = { timeoutMs: 30_000, intervalMs: 250 };

const appSource = `const express = require('express');
const app = express();
app.get('/big', (req, res) => {
  process.stdout.write('x'.repeat(1024 * 1024) + '\\n');
  res.send('big\\n');
});
app.get('/binary', (req, res) => {
  const bytes = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  process.stdout.write(bytes);
  process.stdout.write('\\n');
  res.send('binary\\n');
});
app.use((req, res) => {
  console.log('request ' + req.path);
  res.send('hello from paas (' + process.env.DYNO + ')\\n');
});
app.listen(process.env.PORT || 5000, () => console.log('listening on ' + process.env.PORT));
`;

describe('logs, drains and metrics end to end', { timeout: 900_000 }, () => {
  let p: Platform;
  let work: string;
  let cert: TestCert;
  let tail: ChildProcess | undefined;
  const metricsToken = randomBytes(24).toString('hex');
  const app = `logs-${randomBytes(3).toString('hex')}`;
  const syslog = new SyslogReceiver();
  let https: HttpsReceiver;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'paas-e2e-logs-'));
    cert = await selfSignedCert(work);
    https = new HttpsReceiver(cert);
    // The receivers listen on loopback, which drains may reach only when the platform allows it.
    p = await startPlatform({
      env: { PAAS_DRAIN_CA_FILE: cert.certPath, PAAS_DRAIN_ALLOW_LOOPBACK: 'true', PAAS_METRICS_TOKEN: metricsToken, PAAS_METRICS_INTERVAL: '1' },
    });
  });
  after(async () => {
    tail?.kill();
    await syslog.stop();
    await https?.stop();
    if (process.exitCode) console.log(await p?.logs());
    await p?.stop();
    await rm(work, { recursive: true, force: true });
  });

  test('paas logs, --tail, drains through an outage, bad output, /metrics and ps', async () => {
    assert.equal((await p.paas(['apps:create', app])).code, 0);
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/hello-express'), dir, { recursive: true });
    await writeFile(join(dir, 'index.js'), appSource);
    await gitRepo(dir);
    assert.equal((await p.paas(['git:remote', '-a', app], { cwd: dir })).code, 0);
    const pushed = await gitPush(p, dir);
    assert.equal(pushed.code, 0, `${pushed.output}\n${await p.logs()}`);

    // Drains first, so they carry everything that follows.
    const syslogPort = await syslog.start();
    const httpsPort = await https.start();
    const badDrain = await p.paas(['drains:add', 'ftp://logs.example.com/', '-a', app]);
    assert.notEqual(badDrain.code, 0);
    assert.match(badDrain.stderr, /scheme ftp is not supported \(drain URLs are https:\/\/host\/path, syslog\+tls:\/\/host:port or syslog:\/\/host:port\)/);
    const malformed = await fetch(`${p.apiUrl}/apps/${app}/log-drains`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token(p)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'syslog://no-port.example.com' }),
    });
    assert.equal(malformed.status, 422);
    for (const url of [`syslog://127.0.0.1:${syslogPort}`, `https://127.0.0.1:${httpsPort}/drain`]) {
      const added = await p.paas(['drains:add', url, '-a', app]);
      assert.equal(added.code, 0, added.stderr);
    }

    // A tail that runs through the whole test.
    let tailed = '';
    tail = spawn(paasBin, ['logs', '--tail', '-n', '1', '-a', app], { cwd: p.home, env: { ...p.env } });
    tail.stdout!.on('data', (b: Buffer) => (tailed += b.toString()));
    await new Promise((r) => setTimeout(r, 1500));

    // The app's own line, the router's line for a request, the release event.
    // How fast lines reach the tail is measured by bench/logs.ts, not asserted here.
    assert.equal((await p.get(app, '/tail-check')).status, 200);
    await eventually(async () => tailed.includes('request /tail-check'), 'the tail to show the request', { timeoutMs: 10_000, intervalMs: 250 });
    await eventually(async () => /router: at=info method=GET path="\/tail-check"/.test(tailed), 'the router line in the tail', { timeoutMs: 10_000, intervalMs: 250 });
    const history = await p.paas(['logs', '-n', '200', '-a', app]);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /^\S+\+00:00 app\[web\.1\]: listening on 5000$/m);
    assert.match(history.stdout, /^\S+\+00:00 app\[web\.1\]: request \/tail-check$/m);
    assert.match(history.stdout, /^\S+\+00:00 router: at=info method=GET path="\/tail-check" host=\S+ request_id=\S+ .*status=200/m);
    assert.match(history.stdout, /^\S+\+00:00 platform: Release v1 created by \S+@\S+: Deploy [0-9a-f]{7}$/m);
    assert.match(history.stdout, /^\S+\+00:00 platform\[web\.1\]: Starting process with command `/m);
    const onlyRouter = await p.paas(['logs', '--source', 'router', '-a', app]);
    assert.ok(onlyRouter.stdout.trim().split('\n').every((l) => / router: /.test(l)), onlyRouter.stdout);

    // A 1 MB line and binary output: split, escaped, and the stream goes on.
    assert.equal((await p.get(app, '/big')).status, 200);
    assert.equal((await p.get(app, '/binary')).status, 200);
    assert.equal((await p.get(app, '/after-bad-output')).status, 200);
    await eventually(async () => tailed.includes('request /after-bad-output'), 'the line after the bad output', { timeoutMs: 20_000, intervalMs: 250 });
    const pieces = tailed.split('\n').filter((l) => / app\[web\.1\]: x+$/.test(l));
    assert.equal(pieces.map((l) => l.replace(/^.* app\[web\.1\]: /, '')).join('').length, 1024 * 1024);
    assert.ok(pieces.every((l) => l.length < 8300));
    assert.match(tailed, /app\[web\.1\]: \\x00\\x01\\x02/, 'binary bytes are escaped');

    // Drains: the receivers go down for a few seconds while lines are written, then come back.
    assert.equal((await p.get(app, '/drain-up')).status, 200);
    await eventually(async () => [syslog, https].every((r) => r.bodies().includes('request /drain-up')), 'both drains to deliver', wait);
    await syslog.stop();
    await https.stop();
    for (let i = 1; i <= 5; i++) assert.equal((await p.get(app, `/drain-down-${i}`)).status, 200);
    await new Promise((r) => setTimeout(r, 4000));
    await syslog.start();
    await https.start();
    assert.equal((await p.get(app, '/drain-back')).status, 200);
    const expected = ['drain-up', 'drain-down-1', 'drain-down-2', 'drain-down-3', 'drain-down-4', 'drain-down-5', 'drain-back'];
    for (const [name, r] of [['syslog', syslog], ['https', https]] as const) {
      await eventually(async () => {
        const bodies = r.bodies();
        return expected.every((path) => bodies.includes(`request /${path}`) && bodies.some((b) => b.includes(`path="/${path}"`)));
      }, `${name} to get every line`, { timeoutMs: 60_000, intervalMs: 250 });
      assert.ok(r.messages.some((m) => new RegExp(`^<190>1 \\S+ ${app} router router - - at=info`).test(m)), `${name}: router lines as RFC 5424`);
      assert.ok(r.messages.some((m) => new RegExp(`^<190>1 \\S+ ${app} app web\\.1 - - request /drain-up$`).test(m)));
    }
    const drains = JSON.parse((await p.paas(['drains', '--json', '-a', app])).stdout) as { url: string; dropped: number; delivered: number }[];
    assert.equal(drains.length, 2);
    for (const d of drains) {
      assert.equal(d.dropped, 0);
      assert.ok(d.delivered > 10);
    }

    // Metrics: Prometheus text with per-container series; the metrics token opens it, nothing else does.
    assert.equal((await fetch(`${p.apiUrl}/metrics`)).status, 401);
    const metrics = await eventually(async () => {
      const res = await fetch(`${p.apiUrl}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      const parsed = parsePrometheusText(await res.text());
      return parsed.samples.some((s) => s.name === 'paas_container_cpu_seconds_total' && s.labels['app'] === app) ? parsed : undefined;
    }, 'per-container CPU', wait);
    const labels = { app, process: 'web.1', host: 'local' };
    for (const name of ['paas_container_cpu_seconds_total', 'paas_container_memory_bytes', 'paas_container_restarts_total']) {
      assert.deepEqual(metrics.samples.find((s) => s.name === name && s.labels['app'] === app)?.labels, labels, name);
    }
    assert.ok(metrics.samples.some((s) => s.name === 'paas_http_requests_total' && s.labels['route'] === '/apps/:app/logs'));
    assert.ok(metrics.samples.some((s) => s.name === 'paas_deploy_duration_seconds_count' && s.labels['outcome'] === 'succeeded' && s.value >= 1));
    assert.ok(metrics.samples.some((s) => s.name === 'paas_reconcile_duration_seconds_count'));
    assert.ok(metrics.samples.some((s) => s.name === 'paas_log_lines_collected_total' && s.value > 0));
    const ps = await p.paas(['ps', '-a', app]);
    assert.match(ps.stdout, /web\.1\s+up\s+.*cpu \d+\.\d%\s+mem \d+ MB/);

    // The tail is still following.
    assert.equal((await p.get(app, '/last')).status, 200);
    await eventually(async () => tailed.includes('request /last'), 'the last line in the tail', { timeoutMs: 10_000, intervalMs: 250 });
  });
});

async function token(p: Platform): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (JSON.parse(await readFile(join(p.home, 'cli.json'), 'utf8')) as { token: string }).token;
}
