import Docker from 'dockerode';
const docker = new Docker();
const rate = Number(process.argv[2] ?? 20000);
const secs = 8;
const script = `const rate=${rate};const total=rate*${secs};let seq=0;const t0=Date.now();const tick=()=>{const due=Math.min(total,Math.floor((Date.now()-t0)/1000*rate)+1);let s='';const now=Date.now();for(;seq<due;seq++)s+='bench '+seq+' '+now+'\\n';if(s)process.stdout.write(s);if(seq<total)setTimeout(tick,10);else setTimeout(()=>{},1e9)};tick();`;
const ct = await docker.createContainer({ Image: 'paas/tryapp:b-1576447b3e76', Cmd: ['node -e "$S"'], Env: ['S=' + script], HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': process.env.MS ?? '10m', 'max-file': '2' } } } });
await ct.start();
const stream = await ct.logs({ follow: true, stdout: true, stderr: true, timestamps: true }) as any;
let n = 0; const lat: number[] = []; let buf = Buffer.alloc(0); const t0 = Date.now();
stream.on('data', (c: Buffer) => {
  const now = Date.now();
  buf = Buffer.concat([buf, c]);
  let off = 0;
  while (off + 8 <= buf.length) { const len = buf.readUInt32BE(off + 4); if (off + 8 + len > buf.length) break; const p = buf.subarray(off + 8, off + 8 + len).toString(); const parts = p.trim().split(' '); lat.push(now - Number(parts[3])); n++; off += 8 + len; }
  buf = buf.subarray(off);
});
await new Promise((r) => setTimeout(r, (secs + 4) * 1000));
lat.sort((a, b) => a - b);
console.log(`rate ${rate}: got ${n}/${rate * secs} p50 ${lat[Math.floor(lat.length / 2)]} p99 ${lat[Math.floor(lat.length * 0.99)]} max ${lat[lat.length - 1]}`);
stream.destroy(); await ct.remove({ force: true });
