import { z } from 'zod';
import { AppError } from '@paas/shared';
import { lockAppRow } from '../../db/apps.js';
import { configVarTotals, getConfigVars, updateConfigVars } from '../../db/config-vars.js';
import { inTransaction } from '../../db/queryable.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import { configKeyMax, configTotalBytesMax, configValueMax, configVarsMax } from '../input-limits.js';
import type { RouteTable } from '../route-table.js';
import { configVarsSchema } from '../schemas.js';
import { controlCharactersButTabAndNewline, invalidCharactersIssue, limitExceededIssue } from '../text-rules.js';

const configKey = /^[A-Za-z_][A-Za-z0-9_]*$/;
const reserved = new Set(['PORT', 'DYNO']);
const configValue = z
  .string()
  .max(configValueMax)
  .refine((v) => !controlCharactersButTabAndNewline.test(v), {
    message: 'must not contain control characters other than tab and newline',
    params: invalidCharactersIssue,
  });
/** Whether an object has more than `max` own keys: counted up to max + 1, before any per-key work. */
function hasMoreKeysThan(value: object, max: number): boolean {
  let n = 0;
  for (const key in value) if (Object.hasOwn(value, key) && ++n > max) return true;
  return false;
}

const changesSchema = z.record(configValue.nullable()).superRefine((vars, ctx) => {
  const keys = Object.keys(vars);
  for (const key of keys) {
    if (!configKey.test(key) || key.length > configKeyMax) {
      ctx.addIssue({ code: 'custom', path: [key], message: `config var names are letters, digits and underscores, not starting with a digit, at most ${configKeyMax} characters` });
    } else if (reserved.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is set by the platform and cannot be changed' });
  }
  if (keys.length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'no config vars given' });
});

// The count comes first and stops the parse: checking 20,000 values one by one would hold the event
// loop for a third of a second only to refuse them all.
const patchBody = z
  .unknown()
  .superRefine((vars, ctx) => {
    if (vars !== null && typeof vars === 'object' && !Array.isArray(vars) && hasMoreKeysThan(vars, configVarsMax)) {
      ctx.addIssue({ code: 'custom', path: [], message: `at most ${configVarsMax} config vars per app`, params: limitExceededIssue, fatal: true });
    }
  })
  .pipe(changesSchema)
  .describe(
    `Names to values; null unsets a name. Names match [A-Za-z_][A-Za-z0-9_]* (at most ${configKeyMax} characters); values hold at most ` +
      `${configValueMax} characters, tabs and newlines but no other control character; an app has at most ${configVarsMax} config vars ` +
      `of ${configTotalBytesMax} bytes in all (422 limit_exceeded)`,
  );

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
      const set = Object.keys(changes).filter((k) => changes[k] !== null);
      const unset = Object.keys(changes).filter((k) => changes[k] === null);
      const before = await getConfigVars(ctx.pool, ctx.access.cipher, app.id);
      // The change, its limits and its audit event (keys only: values never reach the audit log) in
      // one transaction, under the app's lock.
      await inTransaction(ctx.pool, async (tx) => {
        await lockAppRow(tx, app.id);
        await updateConfigVars(tx, ctx.access.cipher, app.id, changes);
        const totals = await configVarTotals(tx, app.id);
        if (totals.count > configVarsMax) {
          throw new AppError('limit_exceeded', `${app.name} would have ${totals.count} config vars; an app may have at most ${configVarsMax}`, {
            details: { limit: 'config_vars', max: configVarsMax },
          });
        }
        if (totals.bytes > configTotalBytesMax) {
          throw new AppError('limit_exceeded', `${app.name}'s config vars would hold ${totals.bytes} bytes; at most ${configTotalBytesMax} in all`, {
            details: { limit: 'config_bytes', max: configTotalBytesMax },
          });
        }
        await ctx.access.audit.record({ ...requester(req), action: 'config.update', app: app.name, details: { set, unset } }, tx);
      });
      const description = [set.length ? `Set ${set.join(', ')} config vars` : '', unset.length ? `Remove ${unset.join(', ')} config vars` : '']
        .filter(Boolean)
        .join('; ');
      const release = await ctx.releases.releaseConfigChange(app, description, user.id).catch(async (err: unknown) => {
        // A release the release phase (or the boot) refused refuses the change: the vars are put back.
        if (err instanceof AppError && err.code === 'release_failed') {
          const undo = Object.fromEntries(Object.keys(changes).map((k) => [k, before[k] ?? null]));
          await updateConfigVars(ctx.pool, ctx.access.cipher, app.id, undo);
        }
        throw err;
      });
      if (release) res.setHeader('Paas-Release', String(release.version));
      return getConfigVars(ctx.pool, ctx.access.cipher, app.id);
    },
  });
}
