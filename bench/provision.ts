/**
 * `hosts:provision` of a bare Debian host, end to end (issue 19): a container of images/ssh-host on
 * bare Debian bookworm (openssh-server, no Docker), provisioned by the controller's HostProvisioner
 * over SSH: the OS check, `apt-get install docker.io` from the Debian mirror, certificates from
 * paas's CA, daemon.json, the engine's start and the TLS check. Then a second run (the repair path,
 * docker.io present). Seconds per step.
 */
import { cpus, loadavg } from 'node:os';
import { createLogger } from '@paas/shared';
import { createTestDatabase } from '../apps/controller/src/db/test-database.js';
import { HostProvisioner, type ProvisionEvent } from '../apps/controller/src/provision/host-provisioner.js';
import { startSshHost } from '../test/helpers/ssh-host.js';

async function timed(p: HostProvisioner, target: Parameters<HostProvisioner['provision']>[0]): Promise<{ total: number; steps: Map<string, number> }> {
  const steps = new Map<string, number>();
  const began = new Map<string, number>();
  const started = Date.now();
  await p.provision(target, target.host, (e: ProvisionEvent) => {
    if (e.state === 'running') began.set(e.step, Date.now());
    else if (e.state === 'done') steps.set(e.step, Date.now() - (began.get(e.step) ?? Date.now()));
  });
  return { total: Date.now() - started, steps };
}

export async function benchProvision(): Promise<string> {
  const db = await createTestDatabase();
  const host = await startSshHost('bare', 'bench-prov');
  const load = loadavg()[0]!.toFixed(1);
  try {
    const provisioner = new HostProvisioner({ pool: db.pool, secret: 'b'.repeat(32), log: createLogger('bench', 'warn') });
    const target = { host: host.address, port: 22, username: 'root', privateKey: host.privateKey };
    const first = await timed(provisioner, target);
    const again = await timed(provisioner, target);
    const s = (ms: number | undefined): string => (ms === undefined ? '' : (ms / 1000).toFixed(1));
    const names = [...first.steps.keys()];
    return [
      '## Provisioning a bare Debian host over SSH (hosts:provision)',
      '',
      `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (${cpus().length} cores shared with other engineers' runs; load average ${load} at the start). A container of bare Debian bookworm with openssh-server (\`images/ssh-host\`, BASE=paas/debian:bookworm), provisioned by the controller's \`HostProvisioner\` over SSH; \`install-engine\` is a real \`apt-get update && apt-get install docker.io\` from the Debian mirror. The second run is the repair path (docker.io present, everything rewritten and the engine restarted). The \`register\` step (a row in PostgreSQL) is not in these figures.`,
      '',
      '| step | first run (s) | second run (s) |',
      '| --- | --- | --- |',
      ...names.map((n) => `| ${n} | ${s(first.steps.get(n))} | ${s(again.steps.get(n))} |`),
      `| **end to end** | **${s(first.total)}** | **${s(again.total)}** |`,
      '',
    ].join('\n');
  } finally {
    await host.remove();
    await db.drop();
  }
}
