import { once } from 'node:events';
import { Readable, Writable } from 'node:stream';
import type Docker from 'dockerode';

/**
 * The text of an engine's log answer: without a TTY the engine multiplexes stdout and stderr into
 * frames, and docker-modem's demuxer takes the payloads out (a TTY's plain text passes through).
 * Containers' and Swarm tasks' logs answer alike.
 */
export async function logText(docker: Docker, answer: unknown): Promise<string> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      done();
    },
  });
  const source = Readable.from([Buffer.isBuffer(answer) ? answer : Buffer.from(String(answer))]);
  docker.modem.demuxStream(source, sink, sink);
  await once(source, 'end');
  return Buffer.concat(parts).toString('utf8');
}
