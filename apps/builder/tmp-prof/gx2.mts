import { createReadStream } from 'node:fs';
import { extract } from 'tar-stream';
import { pipeline } from 'node:stream/promises';
for (const f of ['/tmp/g.tar', '/tmp/g2.tar']) {
  const ex = extract();
  ex.on('entry', (h, s, next) => { console.log(h.type, h.name, h.size); s.on('end', next); s.resume(); });
  await pipeline(createReadStream(f), ex);
  console.log('done', f);
}
