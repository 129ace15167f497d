/**
 * Docker multiplexes a non-TTY container's stdout and stderr into frames: 8 bytes of header
 * (stream, 0, 0, 0, big-endian length) then the payload. Returns the payloads joined.
 */
export function demuxDockerLog(buf: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const stream = buf[offset];
    const length = buf.readUInt32BE(offset + 4);
    if (stream === undefined || stream > 2 || buf[offset + 1] !== 0) {
      return buf.toString('utf8'); // not multiplexed (TTY container)
    }
    parts.push(buf.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString('utf8');
}
