import { z } from 'zod';
import { localeSchema, logoutSchema } from '@paas/shared/api-contract';
import { AppError } from '@paas/shared';
import { verifyPassword } from '../../auth/passwords.js';
import type { Request } from 'express';
import { deleteApiToken, findUserByEmail, listApiTokens, setUserLocale, type ApiTokenRow, type User } from '../../db/users.js';
import type { ApiContext } from '../context.js';
import { clientIp, requester, tokenFrom } from '../auth.js';
import { inTransaction } from '../../db/queryable.js';
import { tokenDescriptionMax } from '../input-limits.js';
import type { RouteTable } from '../route-table.js';
import { singleLineText } from '../text-rules.js';
import { accountSchema, authorizationSchema, quotaSchema, sessionSchema } from '../schemas.js';
import { accountJson, authorizationJson, quotaJson } from '../serializers.js';

const loginBody = z.object({
  email: z.string({ required_error: 'is required' }).email().max(254),
  password: z.string({ required_error: 'is required' }).min(1).max(1024),
});
const accountBody = z.object({ locale: localeSchema.describe("The web console's language: en or zh-CN") }).strict();
const authorizationBody = z.object({
  description: singleLineText(tokenDescriptionMax).default('').describe(`What the token is for, e.g. ci (at most ${tokenDescriptionMax} characters, no control characters)`),
});

/** Issues an API token for `user`; the token and its audit event commit together (a token whose event cannot be written is never issued). */
export async function issueAuthorization(ctx: ApiContext, user: User, description: string, req: Request): Promise<{ token: string; authorization: ApiTokenRow }> {
  return inTransaction(ctx.pool, async (tx) => {
    const issued = await ctx.tokens.issueApiToken(user.id, description, tx);
    const details = { id: issued.authorization.id, description };
    await ctx.access.audit.record({ ...requester(req), action: 'authorization.create', details }, tx);
    return issued;
  });
}

/** Revokes one of `user`'s API tokens (404 for anyone else's): it fails from the next request on. */
export async function revokeAuthorization(ctx: ApiContext, user: User, id: string, req: Request): Promise<ApiTokenRow> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new AppError('authorization_not_found', `you have no authorization ${id.slice(0, 100)}`);
  return inTransaction(ctx.pool, async (tx) => {
    const row = await deleteApiToken(tx, user.id, id);
    if (!row) throw new AppError('authorization_not_found', `you have no authorization ${id}`);
    await ctx.access.audit.record({ ...requester(req), action: 'authorization.revoke', details: { id, description: row.description } }, tx);
    return row;
  });
}

/** Sessions (`paas login`), the account, and its API tokens (`paas authorizations`). */
export function authRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'post',
    path: '/auth/login',
    action: 'public',
    tag: 'account',
    summary: 'Log in with email and password: a session token that expires (rate-limited per email and per IP: 429 with Retry-After)',
    body: loginBody,
    example: { email: 'dev@example.com', password: 'correct horse battery staple' },
    response: sessionSchema,
    handler: async ({ body, req, res }) => {
      const verdict = await ctx.access.loginLimiter.hit(body.email, clientIp(req));
      if (!verdict.allowed) {
        res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
        throw new AppError('rate_limited', `too many login attempts; try again in ${verdict.retryAfterSeconds} s`, { retryable: true });
      }
      const user = await findUserByEmail(ctx.pool, body.email);
      // Same answer for an unknown email and a wrong password.
      if (!user || !(await verifyPassword(body.password, user.password_hash))) {
        throw new AppError('unauthorized', 'invalid email or password');
      }
      if (user.disabled_at) throw new AppError('unauthorized', 'this account is disabled');
      await ctx.access.audit.record({ actor: user, ip: clientIp(req), action: 'session.create' });
      return { token: ctx.tokens.issueSession(user), user: { id: user.id, email: user.email, role: user.role } };
    },
  });

  table.add({
    method: 'delete',
    path: '/auth/session',
    action: 'account',
    tag: 'account',
    summary:
      'Log out: revoke the session token this request carries; it fails from the next request on (an API token is not revoked: use DELETE /account/authorizations/{id})',
    response: logoutSchema,
    handler: async ({ user, req }) => {
      const revoked = await ctx.tokens.revoke(tokenFrom(req.headers.authorization) ?? '', user);
      if (revoked !== 'none') await ctx.access.audit.record({ ...requester(req), action: 'session.revoke', details: { revoked } });
      return { revoked };
    },
  });

  table.add({
    method: 'get',
    path: '/account',
    action: 'account',
    tag: 'account',
    summary: 'The signed-in user',
    response: accountSchema,
    handler: ({ user }) => accountJson(user),
  });

  table.add({
    method: 'patch',
    path: '/account',
    action: 'account',
    tag: 'account',
    summary: "Change the signed-in user's settings: the web console's language (remembered across sessions and browsers)",
    body: accountBody,
    example: { locale: 'zh-CN' },
    response: accountSchema,
    handler: async ({ user, body }) => {
      const updated = await setUserLocale(ctx.pool, user.id, body.locale);
      if (!updated) throw new AppError('unauthorized', 'this account no longer exists');
      return accountJson(updated);
    },
  });

  table.add({
    method: 'get',
    path: '/account/quota',
    action: 'account',
    tag: 'account',
    summary: 'Your quota: the limits in effect and your usage (the console shows them beside the scale controls)',
    response: quotaSchema,
    handler: async ({ user }) => quotaJson(user, await ctx.access.quotas.report(user.id)),
  });

  table.add({
    method: 'get',
    path: '/account/authorizations',
    action: 'account',
    tag: 'account',
    summary: 'Your long-lived API tokens (without the tokens themselves)',
    response: z.array(authorizationSchema),
    handler: async ({ user }) => (await listApiTokens(ctx.pool, user.id)).map((t) => authorizationJson(t)),
  });

  table.add({
    method: 'post',
    path: '/account/authorizations',
    action: 'account',
    tag: 'account',
    summary: 'Create a long-lived API token (e.g. for CI); the token is in access_token.token, shown this once',
    body: authorizationBody,
    example: { description: 'ci' },
    status: 201,
    response: authorizationSchema,
    handler: async ({ user, body, req }) => {
      const { token, authorization } = await issueAuthorization(ctx, user, body.description, req);
      return authorizationJson(authorization, token);
    },
  });

  table.add({
    method: 'delete',
    path: '/account/authorizations/:authorization',
    action: 'account',
    tag: 'account',
    summary: 'Revoke one of your API tokens; it stops working on the next request',
    params: { authorization: 'The authorization id' },
    response: authorizationSchema,
    handler: async ({ user, req, params }) => authorizationJson(await revokeAuthorization(ctx, user, params['authorization'] ?? '', req)),
  });
}
