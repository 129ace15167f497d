import { Writable } from 'node:stream';
import type Docker from 'dockerode';

export interface SeparateExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  /** The deadline passed: the container was removed to stop the command. */
  timedOut: boolean;
}

/** Keeps at most `limit` bytes of a stream: its beginning and, past the limit, its end. */
class Keep extends Writable {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    if (this.headBytes < this.limit / 2) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
    } else {
      this.tail.push(chunk);
      this.tailBytes += chunk.length;
      while (this.tailBytes > this.limit / 2 && this.tail.length > 1) this.tailBytes -= this.tail.shift()!.length;
    }
    cb();
  }
  value(): Buffer {
    return Buffer.concat([...this.head, ...this.tail]);
  }
}

/**
 * Runs a command (an argument array) in a running container and keeps its stdout and stderr apart,
 * as shunit2's `capture` does. Past the deadline the container is removed, which ends the command.
 */
export async function execSeparate(
  container: Docker.Container,
  o: { cmd: string[]; user: string; workingDir?: string; env?: string[]; timeoutMs: number },
): Promise<SeparateExecResult> {
  const exec = await container.exec({ Cmd: o.cmd, User: o.user, WorkingDir: o.workingDir, Env: o.env, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new Keep(8 * 1024 * 1024);
  const stderr = new Keep(8 * 1024 * 1024);
  container.modem.demuxStream(stream, stdout, stderr);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    container.remove({ force: true }).catch(() => undefined);
  }, o.timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', (err) => (timedOut ? resolve() : reject(err)));
    });
  } finally {
    clearTimeout(timer);
  }
  const exitCode = timedOut ? 124 : await exitCodeOf(exec);
  return { exitCode, stdout: stdout.value(), stderr: stderr.value(), timedOut };
}

async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((r) => setTimeout(r, 100));
  }
  return -1;
}
