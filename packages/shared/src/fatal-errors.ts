import type { Logger } from 'pino';

/**
 * An error nothing caught (`uncaughtException`) or a rejection nothing awaited (`unhandledRejection`)
 * leaves the process in a state nobody reasoned about: it is logged with its cause and the process
 * exits non-zero, so its supervisor starts a clean one. It never limps on, and never dies silently.
 */
export function exitOnFatalErrors(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  let exiting = false;
  const fatal = (kind: string) => (err: unknown) => {
    if (exiting) return;
    exiting = true;
    const cause = err instanceof Error ? err : new Error(`non-error value: ${String(err)}`);
    log.fatal({ err: cause, kind }, `${kind}: exiting so the supervisor restarts the process`);
    // pino writes synchronously to stdout unless given a transport: the line is out before the exit.
    exit(70);
  };
  process.on('uncaughtException', fatal('uncaughtException'));
  process.on('unhandledRejection', fatal('unhandledRejection'));
}
