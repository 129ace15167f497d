import { z } from 'zod';
import { AppError, findStack, stackNames, stacks, type StackName } from '@paas/shared';
import { stackSchema } from '@paas/shared/api-contract';
import type { AppRow } from '../../db/apps.js';
import { setAppStack } from '../../db/apps.js';
import type { Queryable } from '../../db/queryable.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';
import type { requester as requesterOf } from '../auth.js';

/** Heroku's `GET /stacks` and `GET /stacks/{name or id}`: the Debian releases apps build on. */
export function stacksRoutes(table: RouteTable, _ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/stacks',
    action: 'account',
    tag: 'stacks',
    summary: 'The stacks apps build and run on (new apps get the default one)',
    response: z.array(stackSchema),
    handler: () => stacks,
  });
  table.add({
    method: 'get',
    path: '/stacks/:stack',
    action: 'account',
    tag: 'stacks',
    summary: 'One stack, by name or id',
    params: { stack: 'A stack name (trixie, bookworm) or id' },
    response: stackSchema,
    handler: ({ params }) => {
      const stack = findStack(params['stack'] ?? '');
      if (!stack) throw new AppError('not_found', `no stack "${String(params['stack']).slice(0, 64)}": the stacks are ${stackNames.join(', ')}`);
      return stack;
    },
  });
}

/** `build_stack` of `PATCH /apps/{app}`: a stack's name or id, as Heroku takes it (`{name}` or `{id}` objects too). */
export const buildStackField = z
  .union([z.string().max(64), z.object({ name: z.string().max(64) }).strict(), z.object({ id: z.string().max(64) }).strict()])
  .describe('The stack the next build uses: a name (trixie, bookworm) or id');

/** The stack a `build_stack` value names; an unknown one is refused, naming the stacks there are. */
export function requestedStack(value: z.infer<typeof buildStackField>): StackName {
  const key = typeof value === 'string' ? value : 'name' in value ? value.name : value.id;
  const stack = findStack(key);
  if (!stack) throw new AppError('invalid_params', `build_stack: no stack "${key}": the stacks are ${stackNames.join(', ')}`);
  return stack.name;
}

/**
 * Moves the app to `stack` for its next build (the running release stays on its stack until then),
 * recording who did it. Inside the caller's transaction. Returns whether it changed.
 */
export async function changeBuildStack(
  tx: Queryable,
  ctx: ApiContext,
  requester: ReturnType<typeof requesterOf>,
  app: AppRow,
  stack: StackName,
): Promise<boolean> {
  if (app.build_stack === stack) return false;
  await setAppStack(tx, app.id, stack);
  await ctx.access.audit.record({ ...requester, action: 'app.stack', app: app.name, details: { from: app.build_stack, to: stack } }, tx);
  return true;
}
