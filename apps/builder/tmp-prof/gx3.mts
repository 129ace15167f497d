import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { extract } from 'tar-stream';
import { pipeline } from 'node:stream/promises';
const repo = '/tmp/paas-try-home/buildpacks/0a84de8b39e028a787d52ec2.git';
for (const mode of ['direct', 'nodelay', 'passthrough']) {
  const child = spawn('git', ['-C', repo, 'archive', '--format=tar', '--prefix=hello/', 'refs/paas/3bfc269594ef6492'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let src: NodeJS.ReadableStream = child.stdout;
  if (mode === 'passthrough') src = child.stdout.pipe(new PassThrough());
  if (mode !== 'nodelay') await new Promise((r) => setTimeout(r, 300));
  const ex = extract();
  let n = 0;
  ex.on('entry', (h, s, next) => { n++; s.on('end', next); s.resume(); });
  await pipeline(src, ex);
  console.log(mode, n);
}
