import { resolve, sep } from 'node:path';
import { z } from 'zod';
import type { BuildJobData, SecretBox } from '@paas/shared';
import { AppError, isValidAppName, openBuildEnv, stackNames } from '@paas/shared';

/** The BullMQ job name the controller uses for builds. */
export const buildJobName = 'build';

const schema = z.object({
  buildId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, dash and underscore'),
  app: z.string().refine(isValidAppName, 'not a valid app name'),
  commit: z.string().min(1),
  sourcePath: z.string().startsWith('/', 'an absolute path'),
  env: z.record(z.string()).default({}),
  buildpacks: z.array(z.string().min(1)).default([]),
  sealedEnv: z.string().min(1).optional(),
  /** Jobs queued by a controller from before stacks name none: they built on bookworm. */
  stack: z.enum(stackNames).default('bookworm'),
});

export interface BuildJobChecks {
  /**
   * The builder's own directory of pushed sources (PAAS_BUILD_SOURCES_DIR): a job's `sourcePath` must
   * name a `.tar` file directly inside it. The builder reads that file and deletes it afterwards, so
   * a job queued by anyone but the controller must not name another file of the host.
   */
  sourcesDir: string;
  /** Opens the config vars sealed into the job (buildEnvBox of the platform secret). */
  envBox?: SecretBox;
}

/** Whether `path` names a `.tar` file directly inside `dir` (compared resolved: no `..`, no other directory). */
export function isSourceInside(path: string, dir: string): boolean {
  const full = resolve(path);
  const base = resolve(dir);
  if (full !== path || !full.startsWith(base + sep)) return false;
  const name = full.slice(base.length + 1);
  return /^[A-Za-z0-9_.-]{1,128}\.tar$/.test(name) && !name.startsWith('.');
}

/**
 * Checks a job's data from the queue: what the controller sent is input like any other. Its source
 * must lie in the builder's sources directory; its sealed config vars (`sealedEnv`) are opened with
 * `envBox` (buildEnvBox of the platform secret) into `env`.
 */
export function parseBuildJob(data: unknown, checks: BuildJobChecks): BuildJobData {
  const { envBox, sourcesDir } = checks;
  const res = schema.safeParse(data);
  if (!res.success) {
    const problems = res.error.issues.map((i) => `${i.path.join('.') || '(job)'}: ${i.message}`).join('; ');
    throw new AppError('invalid_params', `invalid build job: ${problems}`);
  }
  const { sealedEnv, ...job } = res.data;
  if (!isSourceInside(job.sourcePath, sourcesDir)) {
    throw new AppError('invalid_params', `invalid build job: sourcePath: must be a .tar file directly inside the builder's sources directory ${resolve(sourcesDir)} (PAAS_BUILD_SOURCES_DIR)`);
  }
  if (sealedEnv === undefined) return job;
  if (!envBox) throw new AppError('internal', "the builder needs PAAS_SECRET (the controller's) to open the build's config vars");
  try {
    return { ...job, env: { ...job.env, ...openBuildEnv(envBox, sealedEnv) } };
  } catch (err) {
    throw new AppError('internal', `the build's config vars do not open: ${(err as Error).message} (is the builder's PAAS_SECRET the controller's?)`);
  }
}

/** The build id of a job's data when it is usable as part of a Redis key, even if the rest is not. */
export function buildIdOf(data: unknown): string | undefined {
  const id = (data as { buildId?: unknown } | null)?.buildId;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
}
