import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { AppError } from '@paas/shared';
import type { SecretBox } from '@paas/shared';
import type { QuotaService } from '../auth/quota-service.js';
import type { FormationService } from './formation-service.js';
import type { AppRow } from '../db/apps.js';
import { getConfigVars, updateConfigVars } from '../db/config-vars.js';
import { setLimits } from '../db/formation.js';
import type { ReleaseRow } from '../db/releases.js';
import type { AppJson } from './app-json.js';
import { releaseProcessType } from './release-phase.js';

/**
 * app.json's `env` at a push, before the build: on the app's first deploy the vars it does not have
 * get their `value` or, with `generator: secret`, 32 random bytes in hex (Heroku's app setup); on
 * every push a `required` var the app still lacks refuses the push, naming it.
 */
export async function applyAppJsonEnv(
  deps: { pool: pg.Pool; cipher: SecretBox },
  app: AppRow,
  appJson: AppJson | undefined,
  say: (line: string) => void,
): Promise<void> {
  const env = appJson?.env;
  if (!env) return;
  const have = await getConfigVars(deps.pool, deps.cipher, app.id);
  const set: Record<string, string> = {};
  if (app.current_release === null) {
    for (const [key, entry] of Object.entries(env)) {
      if (key in have) continue;
      if (typeof entry === 'string') set[key] = entry;
      else if (entry.value !== undefined) set[key] = entry.value;
      else if (entry.generator === 'secret') set[key] = randomBytes(32).toString('hex');
    }
  }
  const missing = Object.entries(env)
    .filter(([key, entry]) => typeof entry !== 'string' && entry.required === true && !(key in have) && !(key in set))
    .map(([key]) => key);
  if (missing.length) {
    throw new AppError(
      'invalid_params',
      `app.json: env: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required: set ${missing.length === 1 ? 'it' : 'them'} with paas config:set ${missing.map((k) => `${k}=…`).join(' ')} -a ${app.name}`,
      { details: { missing } },
    );
  }
  if (Object.keys(set).length) {
    await updateConfigVars(deps.pool, deps.cipher, app.id, set);
    say(`-----> app.json: set ${Object.keys(set).sort().join(', ')}`);
  }
}

/**
 * app.json's `formation` after the app's first deploy serves: each listed type's memory and CPU
 * limits, then its quantity, within the owner's quotas (refused ones are reported, the release
 * stays). `release` is never a process type that is scaled.
 */
export async function applyAppJsonFormation(
  deps: { pool: pg.Pool; quotas: QuotaService; formation: Pick<FormationService, 'scale'>; reconcile: (app: AppRow) => Promise<void> },
  app: AppRow,
  release: ReleaseRow,
  say: (line: string) => void,
): Promise<void> {
  const formation = (release.app_json as AppJson | null)?.formation;
  if (!formation) return;
  const types = Object.entries(formation).filter(([type]) => type !== releaseProcessType && release.process_types[type] !== undefined);
  for (const [type] of Object.entries(formation).filter(([t]) => !types.some(([k]) => k === t))) {
    say(`app.json: formation: ${type} is not a process type of v${release.version}; ignored`);
  }
  try {
    for (const [type, f] of types) {
      if (f.memory !== undefined) await deps.quotas.assertMemory(app.owner_id, f.memory);
      if (f.memory !== undefined || f.cpus !== undefined) await setLimits(deps.pool, app.id, type, { memoryMb: f.memory, cpus: f.cpus });
    }
    const updates = types.filter(([, f]) => f.quantity !== undefined).map(([type, f]) => ({ type, quantity: f.quantity! }));
    if (updates.length) {
      await deps.formation.scale(app.owner_id, app.id, updates, {
        audit: { actorId: release.user_id, app: app.name, ip: undefined, details: { updates, source: 'app.json' } },
        explain: () => undefined,
      });
    }
    if (types.length) {
      await deps.reconcile(app);
      say(`-----> app.json: formation ${types.map(([t, f]) => `${t}=${f.quantity ?? '-'}${f.memory ? `:${f.memory}MB` : ''}`).join(' ')}`);
    }
  } catch (err) {
    say(`app.json: formation not applied: ${(err as Error).message}`);
  }
}
