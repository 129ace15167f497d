import { z } from 'zod';
import { AppError } from '@paas/shared';
import { addCollaborator, listCollaborators, removeCollaborator } from '../../db/collaborators.js';
import { findUserByIdOrEmail } from '../../db/users.js';
import { lockAppRow, type AppRow } from '../../db/apps.js';
import { inTransaction } from '../../db/queryable.js';
import { collaboratorsPerAppMax } from '../input-limits.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { collaboratorSchema } from '../schemas.js';
import { collaboratorJson } from '../serializers.js';

const addBody = z.object({ user: z.string({ required_error: 'is required' }).email().max(254).describe('Email of the user to add') });

/** `paas access`: an app's owner and collaborators. Collaborators deploy, scale and configure; only the owner (or an admin) manages access. */
export function collaboratorsRoutes(table: RouteTable, ctx: ApiContext): void {
  const ownerEntry = (app: AppRow) =>
    collaboratorJson(app, { user_id: app.owner_id, email: app.owner_email, created_at: app.created_at }, 'owner');

  table.add({
    method: 'get',
    path: '/apps/:app/collaborators',
    action: 'app:collaborators:read',
    tag: 'access',
    summary: "The app's owner (first) and collaborators",
    response: z.array(collaboratorSchema),
    handler: async ({ app }) => [
      ownerEntry(app),
      ...(await listCollaborators(ctx.pool, app.id)).map((c) => collaboratorJson(app, c, 'collaborator')),
    ],
  });

  table.add({
    method: 'post',
    path: '/apps/:app/collaborators',
    action: 'app:collaborators:manage',
    tag: 'access',
    summary: `Add a collaborator (owner or admin; at most ${collaboratorsPerAppMax} per app, 422 limit_exceeded)`,
    body: addBody,
    example: { user: 'bob@example.com' },
    status: 201,
    response: collaboratorSchema,
    handler: async ({ app, body, req }) => {
      const user = await findUserByIdOrEmail(ctx.pool, body.user);
      if (!user) throw new AppError('user_not_found', `there is no user ${body.user}`, { details: { field: 'user' } });
      if (user.id === app.owner_id) throw new AppError('invalid_params', `user: ${user.email} owns ${app.name} already`);
      // Counted under the app's lock; the audit event commits with the change.
      const added = await inTransaction(ctx.pool, async (tx) => {
        await lockAppRow(tx, app.id);
        if ((await listCollaborators(tx, app.id)).length >= collaboratorsPerAppMax) {
          throw new AppError('limit_exceeded', `${app.name} has ${collaboratorsPerAppMax} collaborators already, the most an app may have`, {
            details: { limit: 'collaborators', max: collaboratorsPerAppMax },
          });
        }
        const row = await addCollaborator(tx, app.id, user.id);
        if (!row) throw new AppError('invalid_params', `user: ${user.email} is a collaborator on ${app.name} already`);
        await ctx.access.audit.record({ ...requester(req), action: 'collaborator.add', app: app.name, targetUser: user.email }, tx);
        return row;
      });
      return collaboratorJson(app, added, 'collaborator');
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/collaborators/:collaborator',
    action: 'app:collaborators:manage',
    tag: 'access',
    summary: 'Remove a collaborator (owner or admin)',
    params: { collaborator: "The collaborator's email or user id" },
    response: collaboratorSchema,
    handler: async ({ app, req, params }) => {
      const name = params['collaborator'] ?? '';
      const user = await findUserByIdOrEmail(ctx.pool, name);
      const entry = user && (await listCollaborators(ctx.pool, app.id)).find((c) => c.user_id === user.id);
      if (!user || !entry) {
        if (user?.id === app.owner_id) throw new AppError('invalid_params', `${user.email} owns ${app.name}: the owner cannot be removed`);
        throw new AppError('collaborator_not_found', `${name} is not a collaborator on ${app.name}`);
      }
      await inTransaction(ctx.pool, async (tx) => {
        await removeCollaborator(tx, app.id, user.id);
        await ctx.access.audit.record({ ...requester(req), action: 'collaborator.remove', app: app.name, targetUser: user.email }, tx);
      });
      return collaboratorJson(app, entry, 'collaborator');
    },
  });
}
