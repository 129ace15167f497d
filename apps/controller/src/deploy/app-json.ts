import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { z } from 'zod';
import { AppError } from '@paas/shared';
import { parseCron } from './cron-schedule.js';
import { checkCaps, checksWorstCaseSeconds, healthChecksSchema, startupChecks } from './health-checks.js';

export { checkCaps, checksWorstCaseSeconds, startupChecks, type HealthCheck } from './health-checks.js';

/**
 * The parts of `app.json` (at the root of the pushed commit) the platform acts on: health checks
 * (health-checks.ts), the release phase and postdeploy scripts (release-phase.ts), the first
 * deploy's formation and config vars (app-json-setup.ts); buildpacks are read by the builder.
 */
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
/** Dokku's cron entries: a command run as a one-off on a schedule (cron-schedule.ts). */
const cronEntry = z
  .object({
    command: z.string().trim().min(1).max(4000),
    schedule: z.string().max(200).superRefine((v, ctx) => {
      try {
        parseCron(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
  })
  .passthrough();
const envName = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

const appJsonSchema = z
  .object({
    healthchecks: healthChecksSchema.optional(),
    scripts: z
      .object({
        postdeploy: script.optional(),
        dokku: z.object({ predeploy: script.optional(), postdeploy: script.optional() }).passthrough().optional(),
      })
      .passthrough()
      .optional(),
    formation: z
      .record(processType, formationEntry)
      .refine((r) => Object.keys(r).length <= checkCaps.types, `at most ${checkCaps.types} process types (the platform's cap)`)
      .optional(),
    cron: z.array(cronEntry).max(50, 'at most 50 cron entries').optional(),
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
 * Refuses (422) an app.json whose startup checks for some process type could not finish within
 * `maxBootSeconds` (PAAS_MAX_BOOT_SECONDS), the deadline of a deploy.
 */
export function assertChecksFit(appJson: AppJson | null | undefined, maxBootSeconds: number): void {
  for (const type of Object.keys(appJson?.healthchecks ?? {})) {
    const worst = checksWorstCaseSeconds(startupChecks(appJson, type));
    if (worst > maxBootSeconds) {
      throw new AppError(
        'invalid_params',
        `app.json: healthchecks.${type}: the checks can take up to ${Math.ceil(worst)} s (initial delays, uptimes, attempts × timeout, waits); a process must boot within ${maxBootSeconds} s (PAAS_MAX_BOOT_SECONDS)`,
        { details: { field: `healthchecks.${type}` } },
      );
    }
  }
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
