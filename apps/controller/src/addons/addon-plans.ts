import { AppError } from '@paas/shared';

export type AddonKind = 'postgres' | 'redis';
export const addonKinds: readonly AddonKind[] = ['postgres', 'redis'];

/** What a plan gives an add-on: connections at once, and the size it may reach (the quota counts it). */
export interface AddonPlan {
  name: string;
  connections: number;
  /** Heroku-style size of the plan in MB (a database is refused new add-ons of its owner past the quota). */
  sizeMb: number;
}

/** The plans of each kind; the first is the default. */
export const addonPlans: Record<AddonKind, readonly AddonPlan[]> = {
  postgres: [
    { name: 'hobby', connections: 10, sizeMb: 1024 },
    { name: 'standard', connections: 60, sizeMb: 10240 },
  ],
  redis: [
    { name: 'hobby', connections: 20, sizeMb: 25 },
    { name: 'standard', connections: 200, sizeMb: 1024 },
  ],
};

/** `postgres`, `postgres:standard`, or a kind with `--plan standard`: the kind and its plan, or 422. */
export function resolvePlan(service: string, plan?: string): { kind: AddonKind; plan: AddonPlan } {
  const [kindPart, planPart] = service.split(':', 2) as [string, string | undefined];
  const kind = kindPart === 'heroku-postgresql' ? 'postgres' : kindPart === 'heroku-redis' ? 'redis' : kindPart;
  if (!addonKinds.includes(kind as AddonKind)) {
    throw new AppError('invalid_params', `unknown add-on service ${JSON.stringify(kindPart)}: expected postgres or redis`);
  }
  const wanted = plan ?? planPart;
  const plans = addonPlans[kind as AddonKind];
  const found = wanted === undefined ? plans[0]! : plans.find((p) => p.name === wanted);
  if (!found) {
    throw new AppError('invalid_params', `unknown ${kind} plan ${JSON.stringify(wanted)}: expected ${plans.map((p) => p.name).join(' or ')}`);
  }
  return { kind: kind as AddonKind, plan: found };
}

/** The config var an attachment sets: `DATABASE_URL`, `REDIS_URL`, or `<AS>_URL`. */
export function defaultAttachmentName(kind: AddonKind): string {
  return kind === 'postgres' ? 'DATABASE' : 'REDIS';
}

export const attachmentNamePattern = /^[A-Z][A-Z0-9_]{0,40}$/;
