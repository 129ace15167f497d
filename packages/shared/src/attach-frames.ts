/**
 * The wire protocol of an attached one-off process (`paas run`), spoken over the raw connection that
 * `POST /apps/{app}/dynos` with `Connection: Upgrade`, `Upgrade: tcp` turns into after its 101 answer.
 * Both directions carry frames: `type` (1 byte) | payload length (4 bytes, big-endian) | payload.
 *
 * - client → controller: `stdin` (an empty payload is end of input), `resize` (cols, rows as two
 *   big-endian uint16).
 * - controller → client: `stdout`, `stderr`, then exactly one `exit` (the exit code as a big-endian
 *   int32) or `error` (a UTF-8 message: the process could not be run to its end), then the controller
 *   closes the connection.
 */
export const FrameType = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  exit: 3,
  resize: 4,
  error: 5,
} as const;

export type FrameTypeName = keyof typeof FrameType;
export type FrameTypeCode = (typeof FrameType)[FrameTypeName];

export interface Frame {
  type: FrameTypeCode;
  payload: Buffer;
}

/** The Upgrade protocol name (as Docker's attach uses). */
export const attachUpgradeProtocol = 'tcp';
/** The header of the 101 answer naming the one-off process, e.g. `run.3`. */
export const attachProcessHeader = 'paas-process';
/** No frame is larger: a peer that announces more is not speaking this protocol. */
export const maxFramePayload = 1024 * 1024;

const headerLength = 5;
const knownTypes = new Set<number>(Object.values(FrameType));

export class FrameProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameProtocolError';
  }
}

export function encodeFrame(type: FrameTypeCode, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  if (body.length > maxFramePayload) throw new FrameProtocolError(`a frame of ${body.length} bytes is over ${maxFramePayload}`);
  const header = Buffer.alloc(headerLength);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
}

/** Splits a large chunk into frames no larger than the maximum. */
export function encodeData(type: typeof FrameType.stdin | typeof FrameType.stdout | typeof FrameType.stderr, data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let at = 0; at < data.length; at += maxFramePayload) frames.push(encodeFrame(type, data.subarray(at, at + maxFramePayload)));
  return frames;
}

export function exitFrame(code: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeInt32BE(code, 0);
  return encodeFrame(FrameType.exit, payload);
}

export function resizeFrame(size: TerminalSize): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt16BE(clampSize(size.cols), 0);
  payload.writeUInt16BE(clampSize(size.rows), 2);
  return encodeFrame(FrameType.resize, payload);
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

function clampSize(n: number): number {
  return Math.max(1, Math.min(0xffff, Math.floor(Number.isFinite(n) ? n : 1)));
}

export function readExitCode(frame: Frame): number {
  if (frame.payload.length !== 4) throw new FrameProtocolError(`an exit frame carries 4 bytes, not ${frame.payload.length}`);
  return frame.payload.readInt32BE(0);
}

export function readResize(frame: Frame): TerminalSize {
  if (frame.payload.length !== 4) throw new FrameProtocolError(`a resize frame carries 4 bytes, not ${frame.payload.length}`);
  return { cols: frame.payload.readUInt16BE(0), rows: frame.payload.readUInt16BE(2) };
}

/** Reassembles frames from a byte stream cut anywhere. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns every frame now complete. Throws FrameProtocolError on bytes that are not frames. */
  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffered.length >= headerLength) {
      const type = this.buffered.readUInt8(0);
      const length = this.buffered.readUInt32BE(1);
      if (!knownTypes.has(type)) throw new FrameProtocolError(`unknown frame type ${type}`);
      if (length > maxFramePayload) throw new FrameProtocolError(`a frame of ${length} bytes is over ${maxFramePayload}`);
      if (this.buffered.length < headerLength + length) break;
      frames.push({ type: type as FrameTypeCode, payload: Buffer.from(this.buffered.subarray(headerLength, headerLength + length)) });
      this.buffered = this.buffered.subarray(headerLength + length);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pending(): number {
    return this.buffered.length;
  }
}
