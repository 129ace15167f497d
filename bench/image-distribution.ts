/**
 * Image distribution to a new host (issue 19): seconds until a fresh Docker-in-Docker host holds a
 * release image, pulled from the embedded registry (docker-registry, TLS, basic auth) against sent
 * by `docker save` on the builder's engine streamed into `docker load` on the host. Each round uses
 * two new hosts (one per method), so neither finds a layer already there.
 */
import { cpus, loadavg } from 'node:os';
import Docker from 'dockerode';
import { createLogger } from '@paas/shared';
import { ImageDistributor, type ImageCopy } from '../apps/controller/src/scheduler/image-distributor.js';
import { ImageRegistry } from '@paas/shared';
import { removeDindHosts, startDindHosts } from '../test/helpers/dind.js';
import { startTestRegistry } from '../test/helpers/test-registry.js';

const rounds = Number(process.env['BENCH_IMAGE_ROUNDS'] ?? 3);
/** A release-sized image: the Debian base the run image is cut from (~120 MB). */
const source = 'paas/debian:bookworm';

export async function benchImageDistribution(): Promise<string> {
  const local = new Docker();
  const log = createLogger('bench', 'warn');
  const image = 'paas/bench-distribution:b-1';
  const [repo, tag] = image.split(':') as [string, string];
  await local.getImage(source).tag({ repo, tag });
  const size = (await local.getImage(image).inspect()).Size;
  const first = await startDindHosts(1, 'imgd');
  const reg = await startTestRegistry();
  const results: Record<'registry' | 'transfer', number[]> = { registry: [], transfer: [] };
  let pushMs = 0;
  const load = loadavg()[0]!.toFixed(1);
  try {
    pushMs = (await reg.registry.push(local, image)).ms;
    for (let i = 0; i < rounds; i++) {
      const hosts = await startDindHosts(2, 'imgd');
      try {
        await Promise.all(hosts.map((h) => reg.trust(h)));
        for (const [host, via] of [[hosts[0]!, 'registry'], [hosts[1]!, 'transfer']] as const) {
          const copies: ImageCopy[] = [];
          const registry = via === 'registry' ? reg.registry : new ImageRegistry({ ...reg.registry.settings, hostsAddress: `${reg.name}:1` });
          const distributor = new ImageDistributor({ imageSource: local, cluster: 'bench', onCopy: (c) => copies.push(c), log, ...(via === 'registry' ? { registry } : {}) });
          const started = Date.now();
          await distributor.ensure({ name: host.name, docker: host.docker }, image);
          if (copies[0]?.via !== via) throw new Error(`expected a copy by ${via}, got ${copies[0]?.via}`);
          results[via].push(Date.now() - started);
        }
      } finally {
        await removeDindHosts(hosts);
      }
    }
  } finally {
    await reg.close();
    await removeDindHosts(first);
    await local.getImage(image).remove({ noprune: true }).catch(() => undefined);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const row = (name: string, xs: number[]): string => `| ${name} | ${(median(xs) / 1000).toFixed(1)} s | ${xs.map((x) => (x / 1000).toFixed(1)).join(', ')} |`;
  return [
    '## Image distribution to a new host: registry pull vs docker save | docker load',
    '',
    `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (${cpus().length} cores shared with other engineers' runs). A ${(size / 1e6).toFixed(0)} MB image (${source}) reaching a fresh Docker-in-Docker host through \`ImageDistributor.ensure\`, ${rounds} rounds, a new host per method and round. The registry is the embedded \`docker-registry\` (TLS from a paas CA, basic auth) in a container on the hosts' bridge; the push to it (once, by the builder) took ${(pushMs / 1000).toFixed(1)} s. Load average at the start: ${load}.`,
    '',
    '| method | median | rounds |',
    '| --- | --- | --- |',
    row('registry pull (`docker pull` on the host)', results.registry),
    row('`docker save` → `docker load` (the fallback)', results.transfer),
    '',
    'Hosts on this machine share its disk and CPU, so neither method is network-bound here; the registry\'s advantage is that a host pulls only the layers it lacks (a new release of an app shares its base layers) and pulls straight from the registry, while save/load streams the whole image through the controller every time.',
    '',
  ].join('\n');
}
