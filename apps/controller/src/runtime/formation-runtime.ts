/**
 * Optional runtime capability: a runtime that rolls an app's releases out itself (Docker Swarm,
 * Kubernetes). The platform hands it the app's whole formation (one entry per process type: the
 * release, its image, command, config, quantity, limits and startup checks); the engine places the
 * processes, gates each new one on its health checks, replaces the old ones start-first, rolls back
 * on failure, restarts crashed processes and recovers from a node's loss. The Deployer then only
 * waits for the rollout and publishes the route of the web processes that serve.
 *
 * A runtime without it (docker-hosts) is driven process by process by the Deployer instead
 * (`RuntimeBackend.start`/`stop`, placement, boot checks and drain done by the platform).
 */
import type { HealthCheck } from '../deploy/health-checks.js';
import type { CallOptions, ProcessInfo, ProcessSpec, RuntimeBackend } from './runtime-backend.js';

/** One process type of an app's formation: a process's spec without its index, and how many run. */
export interface FormationEntry extends Omit<ProcessSpec, 'index' | 'host'> {
  /** How many processes of the type run (0: none). */
  quantity: number;
  /** app.json's startup checks of the type (health-checks.ts); web processes must answer HTTP anyway. */
  checks: HealthCheck[];
  /** How long a new process may take to pass its checks before the rollout fails (and rolls back). */
  bootTimeoutSeconds: number;
}

export interface ApplyOptions extends CallOptions {
  /** Process types to restart even when nothing changed (ps:restart). */
  restart?: ReadonlySet<string>;
  /** Called with the app's processes while the rollout runs (the route follows them). */
  progress?: (processes: ProcessInfo[]) => Promise<void>;
  /** Wait until every type runs its release with its quantity (a deploy); false: apply and return (a reconcile pass). */
  wait: boolean;
}

export interface FormationRuntime {
  /**
   * Makes the app run exactly `formation` (types not in it are removed). Answers the app's processes
   * once the rollout has converged (`wait`), or at once. A rollout the engine gave up on and rolled
   * back rejects with `release_failed` naming why; the previous release then still runs.
   */
  applyFormation(app: string, formation: FormationEntry[], opts: ApplyOptions): Promise<ProcessInfo[]>;
}

export function isFormationRuntime(r: RuntimeBackend): r is RuntimeBackend & FormationRuntime {
  return typeof (r as Partial<FormationRuntime>).applyFormation === 'function';
}
