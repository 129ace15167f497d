import { z } from 'zod';
import { AppError } from '@paas/shared';
import { hashPassword } from '../../auth/passwords.js';
import { inTransaction, isUniqueViolation } from '../../db/queryable.js';
import { createUser, findUserByIdOrEmail, listUsers, setUserDisabled, setUserRole, type User } from '../../db/users.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import { cursorValue, page, pageQuery } from '../pagination.js';
import type { RouteTable } from '../route-table.js';
import { auditEventSchema, quotaSchema, userSchema } from '../schemas.js';
import { auditEventJson, quotaJson, userJson } from '../serializers.js';

const createBody = z.object({
  email: z.string({ required_error: 'is required' }).email().max(254),
  password: z.string({ required_error: 'is required' }).min(8, 'must be at least 8 characters').max(1024),
  admin: z.boolean().default(false).describe('Give the user the admin role'),
});

const roleBody = z.object({ role: z.enum(['admin', 'user'], { required_error: 'is required: admin or user' }) }).strict();

const limit = (min: number) => z.number().int().min(min).max(1_000_000).nullable().optional();
const quotaBody = z
  .object({
    apps: limit(0).describe('Apps the user may own'),
    processes: limit(0).describe('Processes across all their apps (the sum of their formations)'),
    memory_mb: limit(1).describe('Memory per process, in MB'),
    builds: limit(0).describe('Builds running at once'),
  })
  .strict()
  .refine((q) => Object.keys(q).length > 0, 'give at least one of apps, processes, memory_mb, builds')
  .describe('Limits to set; null resets one to the platform default; those left out keep their value');

const auditQuery = pageQuery.extend({
  user: z.string().max(254).optional().describe('Events by or about this user (email)'),
  app: z.string().max(64).optional(),
  action: z.string().max(64).optional().describe('An action (e.g. app.create), or a prefix ending in a dot (e.g. app.)'),
});

/** The admin API: users, their quotas, and the audit log. Admins only (403 for anyone else). */
export function adminRoutes(table: RouteTable, ctx: ApiContext): void {
  const userParam = { user: "The user's id or email" };
  const loadUser = async (idOrEmail: string | undefined): Promise<User> => {
    const user = await findUserByIdOrEmail(ctx.pool, idOrEmail ?? '');
    if (!user) throw new AppError('user_not_found', `there is no user ${idOrEmail}`);
    return user;
  };

  table.add({
    method: 'get',
    path: '/admin/users',
    action: 'admin',
    tag: 'admin',
    summary: 'Every user, by email',
    query: pageQuery,
    paginated: true,
    response: z.array(userSchema),
    handler: async ({ query, res }) => {
      const users = await listUsers(ctx.pool, query.limit + 1, cursorValue(query));
      return page(res, users, query.limit, (u) => u.email).map(userJson);
    },
  });

  table.add({
    method: 'post',
    path: '/admin/users',
    action: 'admin',
    tag: 'admin',
    summary: 'Create a user (admin: true for the admin role)',
    body: createBody,
    example: { email: 'new@example.com', password: 'a long password', admin: false },
    status: 201,
    response: userSchema,
    handler: async ({ body, req }) => {
      const hash = await hashPassword(body.password);
      let user: User;
      try {
        // The account and its audit event commit together.
        user = await inTransaction(ctx.pool, async (tx) => {
          const created = await createUser(tx, body.email, hash, body.admin ? 'admin' : 'user');
          await ctx.access.audit.record({ ...requester(req), action: 'user.create', targetUser: created.email, details: { role: created.role } }, tx);
          return created;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('name_taken', `email: ${body.email.toLowerCase()} has an account already`);
        throw err;
      }
      return userJson(user);
    },
  });

  table.add({
    method: 'put',
    path: '/admin/users/:user/role',
    action: 'admin',
    tag: 'admin',
    summary: "Make a user an admin, or an admin a user again (the web console's 'make admin')",
    params: userParam,
    body: roleBody,
    example: { role: 'admin' },
    response: userSchema,
    handler: async ({ req, user: admin, params, body }) => {
      const user = await loadUser(params['user']);
      if (user.id === admin.id && body.role !== 'admin') throw new AppError('invalid_params', 'you cannot take the admin role from yourself');
      const updated = await inTransaction(ctx.pool, async (tx) => {
        const row = (await setUserRole(tx, user.id, body.role))!;
        await ctx.access.audit.record({ ...requester(req), action: 'user.role', targetUser: user.email, details: { role: body.role } }, tx);
        return row;
      });
      return userJson(updated);
    },
  });

  for (const disabled of [true, false]) {
    table.add({
      method: 'post',
      path: `/admin/users/:user/${disabled ? 'disable' : 'enable'}`,
      action: 'admin',
      tag: 'admin',
      summary: disabled
        ? 'Disable a user: their sessions and API tokens stop working at once, and their git pushes are refused'
        : 'Enable a disabled user again (they log in anew)',
      params: userParam,
      response: userSchema,
      handler: async ({ req, user: admin, params }) => {
        const user = await loadUser(params['user']);
        if (disabled && user.id === admin.id) throw new AppError('invalid_params', 'you cannot disable your own account');
        const updated = await inTransaction(ctx.pool, async (tx) => {
          const row = (await setUserDisabled(tx, user.id, disabled))!;
          await ctx.access.audit.record({ ...requester(req), action: disabled ? 'user.disable' : 'user.enable', targetUser: user.email }, tx);
          return row;
        });
        return userJson(updated);
      },
    });
  }

  table.add({
    method: 'get',
    path: '/admin/users/:user/quota',
    action: 'admin',
    tag: 'admin',
    summary: "A user's quota: the limits in effect, what is set for them, and their usage",
    params: userParam,
    response: quotaSchema,
    handler: async ({ req, params }) => {
      const user = await loadUser(params['user']);
      return quotaJson(user, await ctx.access.quotas.report(user.id));
    },
  });

  table.add({
    method: 'put',
    path: '/admin/users/:user/quota',
    action: 'admin',
    tag: 'admin',
    summary: "Set a user's quota",
    params: userParam,
    body: quotaBody,
    example: { apps: 5, processes: 10, memory_mb: 512, builds: 1 },
    response: quotaSchema,
    handler: async ({ req, body, params }) => {
      const user = await loadUser(params['user']);
      // the audit event commits with the change, or neither does
      const report = await inTransaction(ctx.pool, async (tx) => {
        const r = await ctx.access.quotas.set(user.id, body, tx);
        await ctx.access.audit.record({ ...requester(req), action: 'quota.update', targetUser: user.email, details: { ...body } }, tx);
        return r;
      });
      return quotaJson(user, report);
    },
  });

  table.add({
    method: 'get',
    path: '/admin/audit',
    action: 'admin',
    tag: 'admin',
    summary: 'The audit log, newest first: who did what to which app or user, when, from where',
    query: auditQuery,
    paginated: true,
    response: z.array(auditEventSchema),
    handler: async ({ query, res }) => {
      const before = cursorValue(query);
      if (before !== undefined && !/^\d{1,18}$/.test(before)) throw new AppError('invalid_params', 'cursor: is not a cursor from a Next-Cursor header');
      const events = await ctx.access.audit.list({ user: query.user, app: query.app, action: query.action, before, limit: query.limit + 1 });
      return page(res, events, query.limit, (e) => e.id).map(auditEventJson);
    },
  });
}
