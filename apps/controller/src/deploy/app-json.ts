import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { z } from 'zod';
import { AppError } from '@paas/shared';

/**
 * The parts of `app.json` (at the root of the pushed commit) the platform acts on: start-up health
 * checks per process type, in Dokku's shape:
 *   { "healthchecks": { "web": [ { "type": "startup", "path": "/health", "content": "ok",
 *                                  "attempts": 5, "timeout": 5, "wait": 2, "initialDelay": 0 } ] } }
 */
/** The platform's caps on a check (a deploy waits for them: see checksWorstCaseSeconds). */
export const checkCaps = { attempts: 20, timeout: 60, wait: 60, initialDelay: 300, checksPerType: 10, types: 20 } as const;

const capped = (name: keyof typeof checkCaps, unit = ''): string => `at most ${checkCaps[name]}${unit} (the platform's cap)`;

const check = z.object({
  type: z.enum(['startup', 'liveness', 'readiness']).default('startup'),
  name: z.string().max(100).optional(),
  path: z.string().startsWith('/', 'must start with /').max(2000).default('/'),
  content: z.string().max(1000).optional(),
  attempts: z.number().int().min(1).max(checkCaps.attempts, capped('attempts')).default(5),
  timeout: z.number().min(0.1).max(checkCaps.timeout, capped('timeout', ' s')).default(5),
  wait: z.number().min(0).max(checkCaps.wait, capped('wait', ' s')).default(2),
  initialDelay: z.number().min(0).max(checkCaps.initialDelay, capped('initialDelay', ' s')).default(0),
});
/** A script: Heroku's `"postdeploy": "cmd"` or `{ "command": "cmd", "size": … }`. */
const script = z.union([z.string().trim().min(1).max(4000), z.object({ command: z.string().trim().min(1).max(4000) }).passthrough()]);
const processType = z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'process types are lowercase letters, digits, - and _');
/** Heroku's sizes carry no limits here: the quantity and Dokku-style limits (`memory` MB, `cpus`) do. */
const formationEntry = z
  .object({
    quantity: z.number().int().min(0).max(100).optional(),
    size: z.string().max(40).optional(),
    memory: z.number().int().min(16).max(1024 * 1024).optional(),
    cpus: z.number().min(0.01).max(64).optional(),
  })
  .passthrough();
const envEntry = z.union([
  z.string().max(32 * 1024),
  z
    .object({
      description: z.string().max(2000).optional(),
      value: z.string().max(32 * 1024).optional(),
      required: z.boolean().optional(),
      generator: z.literal('secret', { errorMap: () => ({ message: 'the only generator is "secret"' }) }).optional(),
    })
    .passthrough(),
]);
const envName = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

const appJsonSchema = z
  .object({
    healthchecks: z
      .record(z.array(check).max(checkCaps.checksPerType, `${capped('checksPerType')} checks per process type`))
      .refine((r) => Object.keys(r).length <= checkCaps.types, `${capped('types')} process types`)
      .optional(),
    scripts: z
      .object({
        postdeploy: script.optional(),
        dokku: z.object({ predeploy: script.optional(), postdeploy: script.optional() }).passthrough().optional(),
      })
      .passthrough()
      .optional(),
    formation: z
      .record(processType, formationEntry)
      .refine((r) => Object.keys(r).length <= checkCaps.types, `${capped('types')} process types`)
      .optional(),
    env: z
      .record(z.string().regex(envName, 'is not a config var name'), envEntry)
      .refine((r) => Object.keys(r).length <= 500, 'at most 500 config vars')
      .optional(),
  })
  .passthrough();

/** The top-level keys of app.json the platform knows (the others are ignored with a note). */
export const knownAppJsonKeys = [
  'name', 'description', 'keywords', 'website', 'repository', 'logo', 'success_url',
  'healthchecks', 'scripts', 'formation', 'env', 'buildpacks', 'cron', 'addons',
] as const;

export type HealthCheck = z.infer<typeof check>;
export type AppJson = z.infer<typeof appJsonSchema>;

export function parseAppJson(text: string): AppJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_params', `app.json is not valid JSON: ${(err as Error).message}`);
  }
  const res = appJsonSchema.safeParse(raw);
  if (!res.success) {
    const i = res.error.issues[0]!;
    throw new AppError('invalid_params', `app.json: ${i.path.join('.')}: ${i.message}`);
  }
  return res.data;
}

/**
 * How long a process's startup checks can take at worst (seconds): each check's initial delay, then
 * every attempt timing out, with the waits between them.
 */
export function checksWorstCaseSeconds(checks: readonly HealthCheck[]): number {
  return checks.reduce((sum, c) => sum + c.initialDelay + c.attempts * c.timeout + (c.attempts - 1) * c.wait, 0);
}

/**
 * Refuses (422) an app.json whose startup checks for some process type could not finish within
 * `maxBootSeconds` (PAAS_MAX_BOOT_SECONDS), the deadline of a deploy.
 */
export function assertChecksFit(appJson: AppJson | null | undefined, maxBootSeconds: number): void {
  for (const type of Object.keys(appJson?.healthchecks ?? {})) {
    const worst = checksWorstCaseSeconds(startupChecks(appJson, type));
    if (worst > maxBootSeconds) {
      throw new AppError(
        'invalid_params',
        `app.json: healthchecks.${type}: the checks can take up to ${Math.ceil(worst)} s (initial delays, attempts × timeout, waits); a process must boot within ${maxBootSeconds} s (PAAS_MAX_BOOT_SECONDS)`,
        { details: { field: `healthchecks.${type}` } },
      );
    }
  }
}

/** The startup checks declared for a process type. */
export function startupChecks(appJson: AppJson | null | undefined, type: string): HealthCheck[] {
  return (appJson?.healthchecks?.[type] ?? []).filter((c) => c.type === 'startup' || c.type === 'readiness');
}

/** The lifecycle scripts of an app.json (see release-phase.ts). */
export function lifecycleScripts(appJson: Record<string, unknown> | null | undefined): {
  predeploy?: string;
  postdeploy?: string;
  dokkuPostdeploy?: string;
} {
  const scripts = (appJson as AppJson | null | undefined)?.scripts;
  const command = (s: z.infer<typeof script> | undefined): string | undefined => (s === undefined ? undefined : typeof s === 'string' ? s : s.command);
  return {
    ...(scripts?.dokku?.predeploy ? { predeploy: command(scripts.dokku.predeploy) } : {}),
    ...(scripts?.postdeploy ? { postdeploy: command(scripts.postdeploy) } : {}),
    ...(scripts?.dokku?.postdeploy ? { dokkuPostdeploy: command(scripts.dokku.postdeploy) } : {}),
  };
}

/** The notes a push prints about app.json: its keys the platform ignores. */
export function appJsonNotes(appJson: AppJson | undefined): string[] {
  const unknown = Object.keys(appJson ?? {}).filter((k) => !(knownAppJsonKeys as readonly string[]).includes(k));
  return unknown.length ? [`app.json: ignoring ${unknown.map((k) => JSON.stringify(k)).join(', ')} (not used by paas)`] : [];
}

/** Reads app.json from the root of a tar made by `git archive`; undefined when there is none. */
export async function readAppJsonFromTar(path: string): Promise<AppJson | undefined> {
  const extract = tar.extract();
  let found: string | undefined;
  extract.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^\.\//, '');
    if (name === 'app.json' && header.type === 'file' && header.size !== undefined && header.size <= 1024 * 1024) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        found = Buffer.concat(chunks).toString('utf8');
        next();
      });
    } else {
      stream.on('end', next);
      stream.resume();
    }
  });
  await pipeline(createReadStream(path), extract);
  return found === undefined ? undefined : parseAppJson(found);
}
