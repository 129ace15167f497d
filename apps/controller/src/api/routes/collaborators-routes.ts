import { z } from 'zod';
import { AppError } from '@paas/shared';
import { addCollaborator, listCollaborators, removeCollaborator } from '../../db/collaborators.js';
import { findUserByIdOrEmail } from '../../db/users.js';
import type { AppRow } from '../../db/apps.js';
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
    summary: 'Add a collaborator (owner or admin)',
    body: addBody,
    example: { user: 'bob@example.com' },
    status: 201,
    response: collaboratorSchema,
    handler: async ({ app, body, req }) => {
      const user = await findUserByIdOrEmail(ctx.pool, body.user);
      if (!user) throw new AppError('user_not_found', `there is no user ${body.user}`, { details: { field: 'user' } });
      if (user.id === app.owner_id) throw new AppError('invalid_params', `user: ${user.email} owns ${app.name} already`);
      const added = await addCollaborator(ctx.pool, app.id, user.id);
      if (!added) throw new AppError('invalid_params', `user: ${user.email} is a collaborator on ${app.name} already`);
      await ctx.access.audit.record({ ...requester(req), action: 'collaborator.add', app: app.name, targetUser: user.email });
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
      await removeCollaborator(ctx.pool, app.id, user.id);
      await ctx.access.audit.record({ ...requester(req), action: 'collaborator.remove', app: app.name, targetUser: user.email });
      return collaboratorJson(app, entry, 'collaborator');
    },
  });
}
