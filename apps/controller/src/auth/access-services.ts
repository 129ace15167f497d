import type pg from 'pg';
import type { Logger } from '@paas/shared';
import type { QuotaLimits } from '../db/quotas.js';
import { AuditLog } from './audit-log.js';
import { ConfigCipher } from './config-cipher.js';
import { LoginRateLimiter } from './login-rate-limiter.js';
import { QuotaService } from './quota-service.js';

/** Access control's services, made once in main.ts (or a test) and handed to the API. */
export interface AccessServices {
  cipher: ConfigCipher;
  quotas: QuotaService;
  audit: AuditLog;
  loginLimiter: LoginRateLimiter;
}

export interface AccessSettings {
  secret: string;
  defaultQuota: QuotaLimits;
  /** Login attempts per minute, per email and per client IP. */
  loginRateLimit: number;
}

export function createAccessServices(pool: pg.Pool, settings: AccessSettings, log: Logger, cipher = new ConfigCipher(settings.secret)): AccessServices {
  return {
    cipher,
    quotas: new QuotaService(pool, settings.defaultQuota),
    audit: new AuditLog(pool, log),
    loginLimiter: new LoginRateLimiter(pool, settings.loginRateLimit),
  };
}
