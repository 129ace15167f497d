import type pg from 'pg';
import type { Logger } from '@paas/shared';
import type { QuotaLimits } from '../db/quotas.js';
import { AuditLog } from './audit-log.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { QuotaService } from './quota-service.js';
import { FormationService } from '../deploy/formation-service.js';
import { SecretBox } from '@paas/shared';

/** Access control's services, made once in main.ts (or a test) and handed to the API. */
export interface AccessServices {
  cipher: SecretBox;
  quotas: QuotaService;
  /** Scaling, against the owner's processes quota. */
  formation: FormationService;
  audit: AuditLog;
  loginLimiter: LoginRateLimiter;
}

export interface AccessSettings {
  secret: string;
  defaultQuota: QuotaLimits;
  /** Login attempts per minute, per email and per client IP. */
  loginRateLimit: number;
}

export function createAccessServices(pool: pg.Pool, settings: AccessSettings, log: Logger, cipher = new SecretBox(settings.secret, 'config vars')): AccessServices {
  return {
    cipher,
    quotas: new QuotaService(pool, settings.defaultQuota),
    formation: new FormationService(pool, settings.defaultQuota.processes),
    audit: new AuditLog(pool, log),
    loginLimiter: new LoginRateLimiter(pool, settings.loginRateLimit),
  };
}
