import type { z } from 'zod';
import { AppError } from '@paas/shared';
import { invalidCharactersIssue, limitExceededIssue } from './text-rules.js';

/**
 * Parses a request body (or query) with a zod schema; a bad one is a 422 naming the field, e.g.
 * `updates.0.quantity: Number must be less than or equal to 100`.
 */
export function validate<S extends z.ZodTypeAny>(schema: S, body: unknown, where?: 'query'): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  const message = where === 'query' && field === '' ? `query: ${issue.message}` : field ? `${field}: ${issue.message}` : issue.message;
  const id = (issue as { params?: { id?: unknown } }).params?.id;
  const code = id === invalidCharactersIssue.id || id === limitExceededIssue.id ? id : 'invalid_params';
  throw new AppError(code, message, { details: { field: field || undefined } });
}
