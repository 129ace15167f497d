import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /** How long to keep trying (default 5 s). A bound on a wait, not a timed assertion. */
  timeoutMs?: number;
  /** Pause between tries (default 25 ms). */
  intervalMs?: number;
  /** More to say when it times out (a process's logs, say). */
  detail?: () => string | Promise<string>;
}

/**
 * Calls `check` until it returns a truthy value and returns that value. A `check` that throws (a
 * failed assertion, a refused connection) counts as "not yet"; when `timeoutMs` runs out, the error
 * names `what` and carries the last thing `check` threw.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  what: string,
  options: EventuallyOptions | number = {},
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const { timeoutMs = 5000, intervalMs = 25, detail } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      let message = `timed out after ${timeoutMs} ms waiting for ${what}`;
      if (lastError !== undefined) message += `; the last try failed: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      if (detail) message += `\n${await detail()}`;
      throw new Error(message, lastError === undefined ? undefined : { cause: lastError });
    }
    await sleep(intervalMs);
  }
}
