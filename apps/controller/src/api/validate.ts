import type { z } from 'zod';
import { AppError } from '@paas/shared';

/** Parses a request body with a zod schema; a bad body is a 422 naming the field. */
export function validate<S extends z.ZodTypeAny>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  throw new AppError('invalid_params', field ? `${field}: ${issue.message}` : issue.message, {
    details: { field: field || undefined },
  });
}
