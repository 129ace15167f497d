import { z } from 'zod';

/**
 * Parses an environment once with a zod schema. A bad or missing variable fails with a message that
 * names the variable, e.g. `PAAS_API_PORT: Expected number, received nan`.
 */
export function parseEnv<S extends z.ZodTypeAny>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** A port number from an environment variable. */
export const portSchema = z.coerce.number().int().min(1).max(65535);
