/** Where a command writes, and reads from: process.stdout/stderr/stdin in main, buffers in tests. */
export interface Output {
  write(chunk: string): unknown;
  /** A terminal (spinners are shown on terminals only). */
  isTTY?: boolean;
}

export interface Input extends NodeJS.ReadableStream {
  isTTY?: boolean;
}

export interface Io {
  stdout: Output;
  stderr: Output;
  stdin: Input;
}
