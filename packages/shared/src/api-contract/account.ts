// Signing in, the account and its API tokens.
import { z } from 'zod';
import { id, timestamp } from './common.js';

export const roleSchema = z.enum(['admin', 'user']);

/** The web console's languages. */
export const localeSchema = z.enum(['en', 'zh-CN']);

export const accountSchema = z.object({
  id,
  email: z.string(),
  role: roleSchema,
  created_at: timestamp,
  locale: localeSchema.describe("The web console's language"),
});

export const sessionSchema = z.object({
  token: z.string().describe('A session token (JWT) that expires'),
  user: z.object({ id, email: z.string(), role: roleSchema }),
});

export const logoutSchema = z.object({
  revoked: z.enum(['session', 'all_sessions', 'none']).describe('this session; all your sessions (a token from before session ids); none (an API token)'),
});

export const authorizationSchema = z.object({
  id,
  description: z.string(),
  created_at: timestamp,
  last_used_at: timestamp.nullable(),
  access_token: z
    .object({ token: z.string(), expires_in: z.null() })
    .nullable()
    .describe('The token, shown once: only when the authorization is created'),
});

export type Account = z.infer<typeof accountSchema>;
export type LoginResult = z.infer<typeof sessionSchema>;
export type LogoutResult = z.infer<typeof logoutSchema>;
export type Authorization = z.infer<typeof authorizationSchema>;
