import { Redis } from 'ioredis';
const redis = new Redis();
const key = 'paas-redis-tmp:logs:x';
const line = 'bench 123456 1764093000000';
const N = 256, B = 200;
let t = Date.now();
for (let b = 0; b < B; b++) { const m = redis.multi(); for (let i = 0; i < N; i++) m.xadd(key, 'MAXLEN', '~', '1500', '*', 'source', 'app', 'process', 'web.1', 'line', line, 'ts', '2026-11-25T17:58:29.484095913Z'); m.hset('paas-redis-tmp:c', 'x', 'y'); await m.exec(); }
console.log('multi serial', Math.round(N * B / ((Date.now() - t) / 1000)), 'lines/s');
t = Date.now();
const jobs: Promise<unknown>[] = [];
for (let b = 0; b < B; b++) { const m = redis.multi(); for (let i = 0; i < N; i++) m.xadd(key, 'MAXLEN', '~', '1500', '*', 'source', 'app', 'process', 'web.1', 'line', line, 'ts', '2026-11-25T17:58:29.484095913Z'); m.hset('paas-redis-tmp:c', 'x', 'y'); jobs.push(m.exec()); if (jobs.length >= 4) await jobs.shift(); }
await Promise.all(jobs);
console.log('multi 4 in flight', Math.round(N * B / ((Date.now() - t) / 1000)), 'lines/s');
const script = `local key = KEYS[1] local max = ARGV[1] local src = ARGV[2] local proc = ARGV[3] local n = (#ARGV - 5) / 2
for i = 0, n - 1 do redis.call('XADD', key, 'MAXLEN', '~', max, '*', 'source', src, 'process', proc, 'line', ARGV[6 + 2*i], 'ts', ARGV[7 + 2*i]) end
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5]) return n`;
redis.defineCommand('appendLogs', { numberOfKeys: 2, lua: script });
t = Date.now();
for (let b = 0; b < B; b++) { const args: string[] = ['1500', 'app', 'web.1', 'x', 'y']; for (let i = 0; i < N; i++) args.push(line, '2026-11-25T17:58:29.484095913Z'); await (redis as any).appendLogs(key, 'paas-redis-tmp:c', ...args); }
console.log('lua serial', Math.round(N * B / ((Date.now() - t) / 1000)), 'lines/s');
await redis.del(key, 'paas-redis-tmp:c'); redis.disconnect();
