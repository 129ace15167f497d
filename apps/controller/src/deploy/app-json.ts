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
const check = z.object({
  type: z.enum(['startup', 'liveness', 'readiness']).default('startup'),
  name: z.string().max(100).optional(),
  path: z.string().startsWith('/', 'must start with /').max(2000).default('/'),
  content: z.string().max(1000).optional(),
  attempts: z.number().int().min(1).max(100).default(5),
  timeout: z.number().min(0.1).max(120).default(5),
  wait: z.number().min(0).max(120).default(2),
  initialDelay: z.number().min(0).max(600).default(0),
});
const appJsonSchema = z
  .object({ healthchecks: z.record(z.array(check)).optional() })
  .passthrough();

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

/** The startup checks declared for a process type. */
export function startupChecks(appJson: AppJson | null | undefined, type: string): HealthCheck[] {
  return (appJson?.healthchecks?.[type] ?? []).filter((c) => c.type === 'startup' || c.type === 'readiness');
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
