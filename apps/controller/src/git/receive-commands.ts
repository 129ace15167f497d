/**
 * The command list that opens a git-receive-pack request (smart HTTP, stateless RPC): pkt-lines of
 * `<old> <new> <ref>` (the first one followed by NUL and the client's capabilities), `shallow <id>`
 * lines before them, closed by a flush packet `0000`; the pack follows. Read incrementally from the
 * request body, in time linear in the bytes given (each byte is looked at a bounded number of times),
 * and bounded in size, so a hostile body costs no more than its length.
 */

export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

export type CommandsResult =
  | { state: 'more' }
  | { state: 'done'; commands: RefUpdate[]; rest: Buffer }
  | { state: 'invalid'; reason: string };

export interface CommandLimits {
  /** Bytes the command list may take, flush packet included. */
  maxBytes: number;
  /** Ref updates one push may carry. */
  maxCommands: number;
}

export const defaultCommandLimits: CommandLimits = { maxBytes: 1024 * 1024, maxCommands: 1000 };

const objectId = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const hexLength = /^[0-9a-f]{4}$/;
// git's largest packet: 65520 bytes, the 4 length digits included.
const maxPacket = 65520;

/** Feed it the request body's chunks with `push` until it answers `done` or `invalid`. */
export class ReceiveCommandReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private consumed = 0;
  private readonly commands: RefUpdate[] = [];
  private settled: CommandsResult | undefined;

  constructor(private readonly limits: CommandLimits = defaultCommandLimits) {}

  push(chunk: Buffer): CommandsResult {
    if (this.settled) return this.settled;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      const head = this.peek(4);
      if (!head) return this.sizeCheck();
      const digits = head.toString('latin1');
      if (!hexLength.test(digits)) return this.settle({ state: 'invalid', reason: 'not a git pkt-line (bad length)' });
      const length = parseInt(digits, 16);
      if (length === 0) {
        const rest = this.take(4)!;
        return this.settle({ state: 'done', commands: this.commands, rest: rest.subarray(4) });
      }
      if (length < 5 || length > maxPacket) return this.settle({ state: 'invalid', reason: `not a git pkt-line (length ${length})` });
      if (this.consumed + length > this.limits.maxBytes) return this.settle({ state: 'invalid', reason: 'the push commands are too long' });
      const whole = this.take(length);
      if (!whole) return this.sizeCheck();
      const packet = whole.subarray(0, length);
      this.chunks = whole.length > length ? [whole.subarray(length)] : [];
      this.buffered -= length;
      this.consumed += length;
      const problem = this.line(packet.subarray(4));
      if (problem) return this.settle({ state: 'invalid', reason: problem });
    }
  }

  /** Checks one command line; returns what is wrong with it, if anything. */
  private line(payload: Buffer): string | undefined {
    const nul = payload.indexOf(0);
    let text = (nul >= 0 ? payload.subarray(0, nul) : payload).toString('latin1');
    if (text.endsWith('\n')) text = text.slice(0, -1);
    if (text.startsWith('shallow ')) return objectId.test(text.slice(8)) ? undefined : 'a shallow line without an object id';
    const parts = text.split(' ');
    if (parts.length !== 3) return 'not a git push command';
    const [old, next, ref] = parts as [string, string, string];
    if (!objectId.test(old) || !objectId.test(next) || old.length !== next.length) return 'not a git push command (object ids)';
    if (!ref.startsWith('refs/') || ref.length > 1024 || /[\x00-\x20\x7f]/.test(ref)) return 'not a git push command (ref name)';
    if (this.commands.length >= this.limits.maxCommands) return `a push may update at most ${this.limits.maxCommands} refs`;
    this.commands.push({ old, new: next, ref });
    return undefined;
  }

  /** The first `n` buffered bytes without consuming them (one buffer), or undefined. */
  private peek(n: number): Buffer | undefined {
    if (this.buffered < n) return undefined;
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  /** Every buffered byte as one buffer, once at least `n` are there (else undefined). */
  private take(n: number): Buffer | undefined {
    if (this.buffered < n) return undefined;
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private sizeCheck(): CommandsResult {
    if (this.consumed + this.buffered > this.limits.maxBytes + 4) return this.settle({ state: 'invalid', reason: 'the push commands are too long' });
    return { state: 'more' };
  }

  private settle(result: CommandsResult): CommandsResult {
    this.settled = result;
    this.chunks = [];
    return result;
  }
}
