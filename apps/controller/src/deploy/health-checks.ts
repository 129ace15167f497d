import { z } from 'zod';

/**
 * app.json's `healthchecks`, with Dokku's documented semantics (docker-container-healthchecker's
 * file format):
 *   { "healthchecks": { "web": [ { "type": "startup", "path": "/health", "content": "ok",
 *                                  "attempts": 3, "timeout": 5, "wait": 5, "initialDelay": 0 } ] } }
 * - one strategy per check, by the fields set: `path` (an HTTP GET that passes on a 2xx answer whose
 *   body contains `content`), `listening` (the process answers on its port), `uptime` (the process
 *   has run that many seconds without stopping; attempts, timeout and wait do not apply); a check
 *   with none of them is an uptime check. `command` checks need an exec into the container, which
 *   this platform does not offer: refused.
 * - defaults: attempts 3, timeout 5 s, wait 5 s between attempts, initialDelay 0 s.
 * - `type` startup (the default; "" too) gates the deploy; liveness and readiness are ignored, as
 *   Dokku's docker-local scheduler does.
 * - `warn: true`: a failure is reported and does not fail the deploy.
 * - no startup check for a process type: the default uptime check of PAAS_DEFAULT_CHECKS_WAIT
 *   seconds (Dokku's DOKKU_DEFAULT_CHECKS_WAIT, 10; the app's config var of that name overrides it).
 */
/** The platform's caps on a check (a deploy waits for them: see checksWorstCaseSeconds). */
export const checkCaps = { attempts: 20, timeout: 60, wait: 60, initialDelay: 300, uptime: 300, checksPerType: 10, types: 20 } as const;

const capped = (name: keyof typeof checkCaps, unit = ''): string => `at most ${checkCaps[name]}${unit} (the platform's cap)`;

export const healthCheckSchema = z
  .object({
    type: z
      .enum(['startup', 'liveness', 'readiness', ''])
      .default('startup')
      .transform((t) => (t === '' ? 'startup' : t)),
    name: z.string().max(100).optional(),
    path: z.string().startsWith('/', 'must start with /').max(2000).optional(),
    content: z.string().max(1000).optional(),
    listening: z.boolean().optional(),
    uptime: z.number().min(0).max(checkCaps.uptime, capped('uptime', ' s')).optional(),
    command: z.unknown().optional(),
    scheme: z.enum(['http', 'https']).default('http'),
    httpHeaders: z
      .array(z.object({ name: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'is not a header name'), value: z.string().max(1000).regex(/^[^\r\n]*$/, 'has a line break') }))
      .max(20)
      .optional(),
    warn: z.boolean().default(false),
    attempts: z.number().int().min(1).max(checkCaps.attempts, capped('attempts')).default(3),
    timeout: z.number().min(0.1).max(checkCaps.timeout, capped('timeout', ' s')).default(5),
    wait: z.number().min(0).max(checkCaps.wait, capped('wait', ' s')).default(5),
    initialDelay: z.number().min(0).max(checkCaps.initialDelay, capped('initialDelay', ' s')).default(0),
  })
  .passthrough()
  .superRefine((c, ctx) => {
    if (c.command !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['command'], message: 'command checks need an exec into the container, which paas does not offer: use path, listening or uptime' });
    }
    const set = [c.path !== undefined, c.listening === true, c.uptime !== undefined].filter(Boolean).length;
    if (set > 1) ctx.addIssue({ code: 'custom', path: [], message: 'give one of path, listening or uptime per check' });
  });

export const healthChecksSchema = z
  .record(z.array(healthCheckSchema).max(checkCaps.checksPerType, `${capped('checksPerType')} checks per process type`))
  .refine((r) => Object.keys(r).length <= checkCaps.types, `${capped('types')} process types`)
  .superRefine((r, ctx) => {
    for (const [type, checks] of Object.entries(r)) {
      checks.forEach((c, i) => {
        if (type !== 'web' && c.type === 'startup' && (c.path !== undefined || c.listening)) {
          ctx.addIssue({ code: 'custom', path: [type, i], message: `${c.path !== undefined ? 'path' : 'listening'} checks need the process's port: only web processes have one here` });
        }
      });
    }
  });

export type HealthCheck = z.infer<typeof healthCheckSchema>;

/** How a check runs (Dokku's strategies). */
export function strategyOf(c: HealthCheck): 'path' | 'listening' | 'uptime' {
  if (c.path !== undefined) return 'path';
  if (c.listening) return 'listening';
  return 'uptime';
}

/** The checks that gate a process's start (type startup); liveness and readiness are not run here. */
export function startupChecks(appJson: { healthchecks?: Record<string, HealthCheck[]> } | null | undefined, type: string): HealthCheck[] {
  return (appJson?.healthchecks?.[type] ?? []).filter((c) => c.type === 'startup');
}

/** The default check of a process type with no startup check: an uptime check of `seconds` (none at 0). */
export function defaultChecks(seconds: number): HealthCheck[] {
  if (seconds <= 0) return [];
  return [healthCheckSchema.parse({ name: 'default', uptime: seconds })];
}

/**
 * How long a process's checks can take at worst (seconds): each check's initial delay, then an
 * uptime's wait, or every attempt timing out with the waits between them.
 */
export function checksWorstCaseSeconds(checks: readonly HealthCheck[]): number {
  return checks.reduce(
    (sum, c) => sum + c.initialDelay + (strategyOf(c) === 'uptime' ? (c.uptime ?? 0) : c.attempts * c.timeout + (c.attempts - 1) * c.wait),
    0,
  );
}
