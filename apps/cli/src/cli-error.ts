/**
 * An error meant for the user: the CLI prints `paas: <message>` on stderr, without a stack trace,
 * and exits with `exitCode`.
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
  }
}

export function isCliError(err: unknown): err is CliError {
  return err instanceof CliError;
}
