import { z } from 'zod';
import { getConfigVars, updateConfigVars } from '../../db/config-vars.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { configVarsSchema } from '../schemas.js';

const configKey = /^[A-Za-z_][A-Za-z0-9_]*$/;
const reserved = new Set(['PORT', 'DYNO']);
const patchBody = z
  .record(z.string().max(32_768).nullable())
  .superRefine((vars, ctx) => {
    for (const key of Object.keys(vars)) {
      if (!configKey.test(key) || key.length > 200) ctx.addIssue({ code: 'custom', path: [key], message: 'config var names are letters, digits and underscores, not starting with a digit' });
      else if (reserved.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is set by the platform and cannot be changed' });
    }
    if (Object.keys(vars).length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'no config vars given' });
  })
  .describe('Names to values; null unsets a name');

export function configRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/apps/:app/config-vars',
    action: 'app:config:read',
    tag: 'config',
    summary: "An app's config vars (decrypted; stored with AES-256-GCM)",
    response: configVarsSchema,
    handler: ({ app }) => getConfigVars(ctx.pool, ctx.access.cipher, app.id),
  });

  table.add({
    method: 'patch',
    path: '/apps/:app/config-vars',
    action: 'app:config:write',
    tag: 'config',
    summary: 'Set and unset config vars; a deployed app gets a new release (its version in the Paas-Release header)',
    body: patchBody,
    example: { GREETING: 'hello', DEBUG: null },
    response: configVarsSchema,
    handler: async ({ app, user, body: changes, req, res }) => {
      await updateConfigVars(ctx.pool, ctx.access.cipher, app.id, changes);
      const set = Object.keys(changes).filter((k) => changes[k] !== null);
      const unset = Object.keys(changes).filter((k) => changes[k] === null);
      // Keys only: values never reach the audit log.
      await ctx.access.audit.record({ ...requester(req), action: 'config.update', app: app.name, details: { set, unset } });
      const description = [set.length ? `Set ${set.join(', ')} config vars` : '', unset.length ? `Remove ${unset.join(', ')} config vars` : '']
        .filter(Boolean)
        .join('; ');
      const release = await ctx.releases.releaseConfigChange(app, description, user.id);
      if (release) res.setHeader('Paas-Release', String(release.version));
      return getConfigVars(ctx.pool, ctx.access.cipher, app.id);
    },
  });
}
