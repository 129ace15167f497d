import type { Redis } from 'ioredis';
import type { Logger } from '@paas/shared';

/**
 * Watches a build's cancel key (set by the controller when the git client goes away) and calls
 * `onCancel` once when it appears. Checks at once, then every `intervalMs`. Returns the stop function.
 */
export function watchCancellation(redis: Redis, key: string, onCancel: () => void, log: Logger, intervalMs = 500): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const check = async (): Promise<void> => {
    try {
      if ((await redis.exists(key)) === 1) {
        stopped = true;
        onCancel();
        return;
      }
    } catch (err) {
      log.warn({ err }, 'could not check for build cancellation');
    }
    if (!stopped) timer = setTimeout(() => void check(), intervalMs);
  };
  void check();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
