/**
 * Settles as `promise` does, or rejects with `${what} timed out after N ms` once `ms` pass first.
 * A rejection that is not an Error is wrapped in one. The timer never outlives the race.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout])
    .catch((err: unknown) => {
      throw err instanceof Error ? err : new Error(String(err));
    })
    .finally(() => clearTimeout(timer));
}
