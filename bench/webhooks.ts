/**
 * App webhook delivery delay after a release: an app with a `notify` webhook on api:release and a
 * receiver on loopback (HTTPS, a self-signed certificate the sender trusts), over the real
 * PostgreSQL, Redis and BullMQ queue and worker (the controller's API harness, in-memory runtime).
 * Each round is a config change, which makes and deploys a release; the delay is from the moment the
 * release serves (the event's `data.updated_at`, stamped when it is announced) to the receiver having
 * the whole signed delivery. Rounds run one after the other, so the figure is a quiet platform's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { EgressGuard } from '@paas/shared';
import { eventually } from '@paas/test-kit';
import { createApiHarness } from '../apps/controller/src/api/test-harness.js';
import { as, deployedApp } from '../apps/controller/src/api/test-fixtures.js';
import { selfSignedCert } from '../apps/controller/src/logs/test-drain-receivers.js';

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

export async function benchWebhooks(rounds = 200): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paas-bench-webhooks-'));
  const cert = await selfSignedCert(dir);
  const delays: number[] = [];
  const createDelays: number[] = [];
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (body.action === 'update' && body.data.status === 'succeeded') delays.push(at - Date.parse(body.data.updated_at));
      if (body.action === 'create') createDelays.push(at - Date.parse(body.data.updated_at));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const h = await createApiHarness({ egress: new EgressGuard({ allowLoopback: true }), webhooks: { ca: cert.cert } });
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const load = [loadavg()[0]!];
  try {
    const owner = await h.user('bench@example.com');
    await deployedApp(h, 'bench-hooks', owner.user.id);
    await request(h.app).post('/apps/bench-hooks/webhooks').set(as(owner)).send({ url: `https://127.0.0.1:${port}/hook`, include: ['api:release'], level: 'notify' }).expect(201);
    for (let i = 0; i < rounds; i++) {
      await request(h.app).patch('/apps/bench-hooks/config-vars').set(as(owner)).send({ ROUND: String(i) }).expect(200);
      await eventually(() => delays.length > i, `delivery ${i}`, { timeoutMs: 30_000, intervalMs: 2 });
    }
    load.push(loadavg()[0]!);
  } finally {
    await h.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
  const row = (name: string, xs: number[]): string => `| ${name} | ${xs.length} | ${percentile(xs, 50)} | ${percentile(xs, 90)} | ${percentile(xs, 99)} | ${Math.max(...xs)} |`;
  return [
    '## App webhooks: delivery delay after a release',
    '',
    `Run on ${when} UTC (\`npm run bench -- webhooks\`). One app with a \`notify\` webhook on \`api:release\`, a receiver on loopback over HTTPS; ${rounds} config changes one after another, each a release made and deployed (in-memory runtime) over the real PostgreSQL, Redis and BullMQ. Delay: from the release serving (the event's \`updated_at\`, stamped when it is announced) to the receiver holding the whole signed delivery; it covers the event and delivery rows, the BullMQ job, the worker's pick-up, the egress guard's check, a fresh TLS connection and the POST.`,
    '',
    '| event | deliveries | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |',
    '| --- | --- | --- | --- | --- | --- |',
    row('release serving (`update`, status succeeded)', delays),
    row('release made (`create`, status pending)', createDelays),
    '',
    `The 1-minute load average was ${load[0]!.toFixed(1)} at the start, ${load[1]?.toFixed(1) ?? '?'} at the end (2 cores, shared with other engineers' runs).`,
    '',
  ].join('\n');
}
