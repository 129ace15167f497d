import { AppError } from '@paas/shared';

export const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** A refusal by a quota, with how to raise it. */
export function quotaExceeded(message: string, retryable = false): AppError {
  return new AppError('quota_exceeded', `${message} (an admin can raise it with paas admin:quota:set)`, { retryable });
}
