import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { RedisKeys, createLogger } from '@paas/shared';
import { ContainerFollower } from './src/logs/container-follower.ts';
import { LogStore } from './src/logs/log-store.ts';
const log = createLogger('bench', 'warn');
const docker = new Docker();
const redis = new Redis();
const keys = new RedisKeys(`paas-fol-tmp`);
const store = new LogStore(redis, keys, 1500);
const rate = Number(process.argv[2] ?? 20000); const secs = 8;
const script = `const rate=${rate};const total=rate*${secs};let seq=0;let t0;const tick=()=>{const due=Math.min(total,Math.floor((Date.now()-t0)/1000*rate)+1);let s='';const now=Date.now();for(;seq<due;seq++)s+='bench '+seq+' '+now+'\\n';if(s)process.stdout.write(s);if(seq<total)setTimeout(tick,10);else setTimeout(()=>{},1e9)};setTimeout(()=>{t0=Date.now();tick()},1000);`;
const ct = await docker.createContainer({ Image: 'paas/tryapp:b-1576447b3e76', Cmd: ['node -e "$S"'], Env: ['S=' + script], HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '100m', 'max-file': '2' } } } });
await ct.start();
const before: number[] = []; const after: number[] = []; let batches = 0; let sizes = 0;
const useRedis = process.env.NOREDIS !== '1';
const f = new ContainerFollower(docker, { id: ct.id, app: 'x', process: 'web.1', host: 'local' }, undefined, async (_t, lines) => {
  const now = Date.now(); batches++; sizes += lines.length;
  for (const l of lines) { const p = l.line.split(' '); if (p[0] === 'bench') before.push(now - Number(p[2])); }
  if (useRedis) { const r = await store.addTo(redis.multi(), 'x', lines).exec(); }
  const now2 = Date.now();
  for (const l of lines) { const p = l.line.split(' '); if (p[0] === 'bench') after.push(now2 - Number(p[2])); }
}, log);
void f.run();
await new Promise((r) => setTimeout(r, (secs + 5) * 1000));
const pct = (a: number[], q: number) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length * q)]; };
console.log(`redis=${useRedis} rate ${rate}: n=${after.length} batches=${batches} avg=${(sizes / batches).toFixed(0)} at-sink p50 ${pct(before, 0.5)} p99 ${pct(before, 0.99)} | stored p50 ${pct(after, 0.5)} p99 ${pct(after, 0.99)}`);
f.stop(); await ct.remove({ force: true }); await redis.del(keys.appLogs('x')); redis.disconnect();
