import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { RedisKeys, createLogger } from '@paas/shared';
import { EngineClients } from './src/logs/engine-clients.ts';
import { LogCollector } from './src/logs/log-collector.ts';
import { LogStore } from './src/logs/log-store.ts';
import { PlatformEvents } from './src/logs/platform-events.ts';

const log = createLogger('bench', 'warn');
const docker = new Docker();
const cluster = `cb-${randomBytes(3).toString('hex')}`;
const redis = new Redis();
const keys = new RedisKeys(`paas-cb-${cluster}`);
const store = new LogStore(redis, keys, 1500);
const host = { name: 'local', docker_url: 'unix:///var/run/docker.sock', tls: null, status: 'up' } as any;
const c = new LogCollector({ hosts: () => [host], engines: new EngineClients(), cluster, store, events: new PlatformEvents(store, log), redis, keys, log });
c.start();
const rate = Number(process.argv[2] ?? 20000); const secs = 8;
const script = `const rate=${rate};const total=rate*${secs};let seq=0;let t0;const tick=()=>{const due=Math.min(total,Math.floor((Date.now()-t0)/1000*rate)+1);let s='';const now=Date.now();for(;seq<due;seq++)s+='bench '+seq+' '+now+'\\n';if(s)process.stdout.write(s);if(seq<total)setTimeout(tick,10);else setTimeout(()=>{},1e9)};setTimeout(()=>{t0=Date.now();tick()},2000);`;
const ct = await docker.createContainer({ Image: 'paas/tryapp:b-1576447b3e76', Cmd: ['node -e "$S"'], Env: ['S=' + script],
  Labels: { 'paas.cluster': cluster, 'paas.role': 'process', 'paas.app': 'cb', 'paas.process': 'web.1' }, HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': process.env.MS ?? '10m', 'max-file': '2' } } } });
await ct.start();
const reader = redis.duplicate();
let cursor = '0-0'; let n = 0; const lat: number[] = []; const seqs = new Set<number>();
const end = Date.now() + (secs + 8) * 1000;
while (Date.now() < end && seqs.size < rate * secs) {
  const entries = await store.readAfter('cb', cursor, 1000, 500, reader);
  const now = Date.now();
  for (const e of entries) { cursor = e.id; const p = e.line.split(' '); if (p[0] !== 'bench') continue; n++; seqs.add(Number(p[1])); lat.push(now - Number(p[2])); }
}
lat.sort((a, b) => a - b);
console.log(`MS=${process.env.MS ?? '10m'} rate ${rate}: got ${seqs.size}/${rate * secs} (${n - seqs.size} repeated) p50 ${lat[Math.floor(lat.length / 2)]} p99 ${lat[Math.floor(lat.length * 0.99)]} max ${lat[lat.length - 1]}`);
await c.stop(); await ct.remove({ force: true });
const left = await redis.keys(`${keys.prefix}:*`); if (left.length) await redis.del(...left);
reader.disconnect(); redis.disconnect();
