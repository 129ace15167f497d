import { z } from 'zod';
import type { BuildJobData, SecretBox } from '@paas/shared';
import { AppError, isValidAppName, openBuildEnv } from '@paas/shared';

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
});

/**
 * Checks a job's data from the queue: what the controller sent is input like any other. Its sealed
 * config vars (`sealedEnv`) are opened with `envBox` (buildEnvBox of the platform secret) into `env`.
 */
export function parseBuildJob(data: unknown, envBox?: SecretBox): BuildJobData {
  const res = schema.safeParse(data);
  if (!res.success) {
    const problems = res.error.issues.map((i) => `${i.path.join('.') || '(job)'}: ${i.message}`).join('; ');
    throw new AppError('invalid_params', `invalid build job: ${problems}`);
  }
  const { sealedEnv, ...job } = res.data;
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
