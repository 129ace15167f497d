import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, createLogger } from '@paas/shared';
import type { ProcessInfo, RuntimeBackend } from '../runtime/runtime-backend.js';
import { BootChecks } from './boot-checks.js';
import { healthChecksSchema, type HealthCheck } from './health-checks.js';
import type { HttpCheck } from './probe.js';

const web: ProcessInfo = {
  id: 'c1', app: 'shop', release: 2, type: 'web', name: 'web.1', host: 'local', address: '127.0.0.1', port: 5000,
  state: 'up', command: 'npm start', startedAt: new Date(), restartCount: 0,
};

/** A runtime whose process is `now()` and whose output is one line. */
const runtimeWith = (now: () => ProcessInfo | undefined): RuntimeBackend =>
  ({ list: async () => [now()].filter((p): p is ProcessInfo => p !== undefined), logs: async () => 'booted\n' }) as unknown as RuntimeBackend;

const checks = (web: unknown[]): HealthCheck[] => healthChecksSchema.parse({ web })['web']!;

function boots(answers: Array<{ status: number; body?: string } | { error: string }>, now: () => ProcessInfo | undefined = () => web) {
  const seen: Array<{ path: string; headers: Record<string, string> | undefined; scheme: string | undefined }> = [];
  const check: HttpCheck = async (_a, _p, path, _t, o) => {
    seen.push({ path, headers: o?.headers, scheme: o?.scheme });
    const next = answers.shift() ?? { error: 'no more answers' };
    return 'error' in next ? next : { status: next.status, body: next.body ?? '' };
  };
  const b = new BootChecks({ runtime: runtimeWith(now), probe: async () => true, check, bootTimeoutMs: 5000, log: createLogger('test', 'silent') });
  return { b, seen };
}

describe("boot checks (Dokku's semantics)", () => {
  test('a path check passes on a 2xx answer containing its content, retrying up to attempts', async () => {
    const { b, seen } = boots([{ error: 'ECONNREFUSED' }, { status: 200, body: 'starting' }, { status: 200, body: 'all ok' }]);
    await b.wait(web, checks([{ path: '/health', content: 'ok', wait: 0, httpHeaders: [{ name: 'Host', value: 'shop.example.com' }] }]));
    assert.deepEqual(seen.map((s) => s.path), ['/health', '/health', '/health']);
    assert.deepEqual(seen[0]?.headers, { host: 'shop.example.com' });
  });

  test('a 3xx is a failure; after attempts the release fails with the reason and the last output', async () => {
    const { b, seen } = boots([{ status: 302 }, { status: 500 }, { status: 301 }]);
    await assert.rejects(b.wait(web, checks([{ name: 'ready', path: '/', wait: 0 }])), (err: AppError) => {
      assert.equal(err.code, 'release_failed');
      assert.equal(err.message, 'web.1 failed its health check ready after 3 attempts: HTTP 301; its last output:\nbooted');
      return true;
    });
    assert.equal(seen.length, 3, 'the default is 3 attempts');
  });

  test('a warn check that fails is reported and the boot goes on', async () => {
    const { b } = boots([{ status: 503 }]);
    const said: string[] = [];
    await b.wait(web, checks([{ path: '/slow', attempts: 1, warn: true }]), (l) => said.push(l));
    assert.deepEqual(said, ['warning: web.1 failed its health check /slow after 1 attempts: HTTP 503 (warn: true, the deploy goes on)']);
  });

  test('an uptime check fails when the process restarted or stopped meanwhile, and passes when it stayed up', async () => {
    const worker = { ...web, type: 'worker', name: 'worker.1', port: undefined };
    await boots([], () => worker).b.wait(worker, checks([{ uptime: 0.01 }]));
    await assert.rejects(boots([], () => ({ ...worker, restartCount: 1 })).b.wait(worker, checks([{ uptime: 0.01 }])), /worker\.1 did not stay up for 0\.01 s \(health check uptime\): it restarted/);
    await assert.rejects(boots([], () => undefined).b.wait(worker, checks([{ name: 'default', uptime: 0.01 }])), /did not stay up .*\(health check default\): it stopped/);
  });

  test('https and a listening check', async () => {
    const { b, seen } = boots([{ status: 204 }]);
    await b.wait(web, checks([{ path: '/', scheme: 'https' }, { listening: true }]));
    assert.equal(seen[0]?.scheme, 'https');
  });
});
