// The controller's resources as the CLI sees them: the response types come from the wire contract
// (@paas/shared/api-contract, the schemas the API is checked against), the request shapes are here.
import type { QuotaLimits } from '@paas/shared/api-contract';

export type {
  Account,
  AdminUser,
  App,
  AppWithFormation,
  AuditEvent,
  Authorization,
  Build,
  BuildpackInstallation,
  BuildWithOutput,
  Cert,
  Collaborator,
  ComponentStatus,
  ConfigVars,
  Domain,
  Dyno,
  DynoState,
  FormationEntry,
  Host,
  HostDetail,
  HostEnv,
  InternalAccess,
  LogDrain,
  LoginResult,
  LogoutResult,
  PlatformStatusReport,
  ProcessLimits,
  Quota,
  QuotaLimits,
  Release,
  RouterSettings,
} from '@paas/shared/api-contract';

/** A config-vars PATCH: `null` unsets a key. */
export type ConfigVarsPatch = Record<string, string | null>;

export interface AuditFilter {
  user?: string | undefined;
  app?: string | undefined;
  action?: string | undefined;
  limit?: number | undefined;
}

export interface NewHost {
  name: string;
  docker_url: string;
  address: string;
  capacity_memory_mb?: number;
  labels?: Record<string, string>;
  tls?: { ca?: string; cert: string; key: string };
  insecure?: boolean;
}

export type QuotaPatch = Partial<QuotaLimits>;

export interface ProcessLimitsPatch {
  type: string;
  memory_mb?: number | null;
  cpus?: number | null;
}
