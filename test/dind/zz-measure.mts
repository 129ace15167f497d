import Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { startDindHosts, removeDindHosts } from '../helpers/dind.js';
import { transferImage } from '../../apps/controller/src/runtime/image-transfer.js';
const local = new Docker();
const app = process.argv[2]!;
const load = () => execFileSync('cat', ['/proc/loadavg']).toString().split(' ')[0];
let t = Date.now();
const [a] = await startDindHosts(1, 'measure');
console.log(`cold start (1 host): ${Date.now() - t} ms, load ${load()}`);
t = Date.now();
const [b, c] = await startDindHosts(2, 'measure2');
console.log(`cold start (2 hosts in parallel): ${Date.now() - t} ms, load ${load()}`);
try {
  t = Date.now(); await a!.stop(); console.log(`stop (no containers): ${Date.now() - t} ms`);
  t = Date.now(); await a!.start(); console.log(`restart after stop: ${Date.now() - t} ms`);
  t = Date.now(); await a!.kill(); console.log(`kill: ${Date.now() - t} ms`);
  t = Date.now(); await a!.start(); console.log(`restart after kill: ${Date.now() - t} ms`);
  const r1 = await transferImage(local, a!.docker, app);
  console.log(`local -> fresh dind, ${app}: ${(r1.bytes / 1e6).toFixed(0)} MB in ${r1.ms} ms, load ${load()}`);
  const r0 = await transferImage(local, b!.docker, 'paas/run:bookworm');
  console.log(`local -> fresh dind, paas/run:bookworm: ${(r0.bytes / 1e6).toFixed(0)} MB in ${r0.ms} ms, load ${load()}`);
  const r2 = await transferImage(local, b!.docker, app);
  console.log(`local -> dind with paas/run, ${app}: ${(r2.bytes / 1e6).toFixed(0)} MB in ${r2.ms} ms, load ${load()}`);
  const r3 = await transferImage(a!.docker, c!.docker, app);
  console.log(`dind -> fresh dind, ${app}: ${(r3.bytes / 1e6).toFixed(0)} MB in ${r3.ms} ms, load ${load()}`);
  const r4 = await transferImage(a!.docker, c!.docker, app);
  console.log(`again (skipped): ${r4.ms} ms`);
  t = Date.now(); execFileSync('sh', ['-c', `docker save ${app} > /dev/null`]); console.log(`plain docker save ${app} > /dev/null: ${Date.now() - t} ms`);
} finally {
  t = Date.now();
  await removeDindHosts([a!, b!, c!]);
  console.log(`remove 3 hosts: ${Date.now() - t} ms`);
}
