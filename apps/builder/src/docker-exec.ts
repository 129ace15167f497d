import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export interface ExecOptions {
  /** The command as an argument array: never a shell string. */
  cmd: string[];
  /** `root` or `paas` (the build image's unprivileged user). */
  user: string;
  workingDir?: string;
  /** Receives stdout (unless captured) and stderr as they arrive. */
  onOutput?: (chunk: Buffer) => void;
  /** Keep stdout for the caller instead of passing it to onOutput. */
  captureStdout?: boolean;
  /** Captured stdout kept at most (bytes; the rest is dropped). Default 16 MiB. */
  maxCaptureBytes?: number;
}

export interface ExecResult {
  exitCode: number;
  /** Captured stdout (empty unless captureStdout). */
  stdout: string;
}

/** Runs a command in a running container and waits for it; a non-zero exit is returned, not thrown. */
export async function runExec(container: Docker.Container, options: ExecOptions): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: options.cmd,
    User: options.user,
    WorkingDir: options.workingDir,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const captured: Buffer[] = [];
  let room = options.maxCaptureBytes ?? 16 * 1024 * 1024;
  const capture = (c: Buffer): void => {
    if (room <= 0) return;
    captured.push(c.length > room ? c.subarray(0, room) : c);
    room -= c.length;
  };
  stdout.on('data', (c: Buffer) => (options.captureStdout ? capture(c) : options.onOutput?.(c)));
  stderr.on('data', (c: Buffer) => options.onOutput?.(c));
  container.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  return { exitCode: await exitCodeOf(exec), stdout: Buffer.concat(captured).toString('utf8') };
}

/** The exec's exit code; the engine may need a moment after the stream ends to record it. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((r) => setTimeout(r, 100));
  }
  return -1;
}
