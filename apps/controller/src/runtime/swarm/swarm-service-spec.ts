/**
 * The Swarm service of one process type of an app (`<app>-<type>`), from what the platform knows of
 * it: pure, so every rule is unit-tested. What the service carries:
 * - labels `paas.cluster`, `paas.app`, `paas.process` (the type), `paas.release`, `paas.role=process`
 *   on the service, and on its tasks' containers (role `swarm-task`, so a docker-hosts backend on the
 *   same engine never takes them for its own);
 * - the hardening of container-hardening.ts as far as a service spec goes: every capability dropped
 *   (the operator's exceptions added back), a non-root user, a PID limit, the unprivileged-port
 *   sysctl, no mounts, no devices, never privileged. `no-new-privileges` has no field in the service
 *   spec of Docker 20.10 (API 1.41; `Privileges.NoNewPrivileges` came with API 1.44): with no
 *   capability in the bounding set a setuid binary gains none, which is the gap's mitigation;
 * - memory and CPU limits, the app's own overlay network, `dnsrr` endpoints (no virtual IP: IPVS
 *   is not needed) and the web port published in `host` mode on the node that runs the task (the
 *   ingress routing mesh needs IPVS);
 * - a rolling update that starts each new task first, waits for its health check, and rolls the
 *   whole service back when one fails (`FailureAction: rollback`);
 * - a health check made from the app's startup checks (a web process must answer HTTP on $PORT),
 *   run by bash inside the container: only for images started by the run image's launcher
 *   (`paas-exec`), which has bash; other images get none and are up once they run;
 * - a drain shim for the same images: when Swarm stops an old task, it keeps serving for the drain
 *   period (the router is told meanwhile) before the process gets SIGTERM, as the docker-hosts
 *   runtime drains before it stops.
 */
import type Docker from 'dockerode';
import { containerLabel } from '../container-labels.js';
import type { HardeningExceptions } from '../container-hardening.js';
import { strategyOf, type HealthCheck } from '../../deploy/health-checks.js';
import type { FormationEntry } from '../formation-runtime.js';

const label = containerLabel;

/** The run image's launcher (images/run/paas-exec): images started by it have bash. */
export const runImageEntrypoint = '/usr/local/bin/paas-exec';

/** A process type's service: its formation entry (formation-runtime.ts) with Swarm's replica count. */
export interface SwarmServiceRequest extends Omit<FormationEntry, 'quantity' | 'mounts'> {
  replicas: number;
  /**
   * Gate each task on a health check (a deploy's formation); false: a task is up once it runs (the
   * RuntimeBackend contract's single processes, which need not serve HTTP).
   */
  gated: boolean;
}

export interface SwarmServiceContext {
  cluster: string;
  /** The app's overlay network. */
  network: string;
  pidsLimit: number;
  /** The user to run as instead of the image's (its user is root); undefined keeps the image's. */
  userOverride: string | undefined;
  exceptions: HardeningExceptions | undefined;
  /** The image's entrypoint: the launcher of the run image gets health checks and the drain shim. */
  entrypoint: readonly string[];
  /** Seconds an old task keeps serving after Swarm stops it, before its SIGTERM. */
  drainSeconds: number;
  /** Seconds between SIGTERM and SIGKILL. */
  stopGraceSeconds: number;
  /** Seconds Swarm waits before it restarts a task that exited. */
  restartDelaySeconds: number;
  /** Seconds between two runs of a task's health check. */
  healthIntervalSeconds: number;
}

/** Swarm's name of a process type's service: `<app>-<type>` (at most 63 characters, DNS-safe). */
export function serviceName(app: string, type: string): string {
  const name = `${app}-${type}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return name.length <= 63 ? name : `${name.slice(0, 54)}-${hash8(name)}`;
}

function hash8(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * Swarm expands Go templates in a task's environment (`{{.Task.Slot}}`): a value of the app's config
 * is escaped so it reaches the process as written, never as a template.
 */
export function templateLiteral(value: string): string {
  return value.replace(/\{\{/g, '{{"{{"}}');
}

const ns = (seconds: number): number => Math.round(seconds * 1e9);

/**
 * Keeps serving for `$1` seconds after a SIGTERM, then passes it on to the process (the rest of the
 * arguments) and exits with its status.
 */
export const drainShim = 'd=$1; shift; "$@" & p=$!; trap \'sleep "$d"; kill -TERM "$p" 2>/dev/null\' TERM; while :; do wait "$p"; r=$?; kill -0 "$p" 2>/dev/null || exit "$r"; done';

/** An HTTP GET of `$1` on $PORT over bash's /dev/tcp: passes on any answer, or on a 2xx whose body holds `$2` when `$3` is `strict`. */
const httpGet =
  'get() { exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1; printf "GET %s HTTP/1.0\\r\\nHost: localhost\\r\\nUser-Agent: paas-healthcheck\\r\\n%s\\r\\n" "$1" "$4" >&3; IFS= read -r s <&3 || return 1; ' +
  'if [ "$3" = strict ]; then case $s in "HTTP/1."?" 2"*) ;; *) return 1 ;; esac; b=$(cat <&3); [[ $b == *"$2"* ]] || return 1; fi; exec 3<&-; }';

/** A health check path as one request-target: no space or control character reaches the request line. */
function requestTarget(path: string): string {
  return path.replace(/[\s\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Docker's HEALTHCHECK for a process type: a web process answers HTTP on $PORT, then passes every
 * `path` check of its startup checks (https ones as a plain answer: bash has no TLS); `listening` is
 * the answer. Undefined when there is nothing to check in the container (uptime checks are the
 * update's monitor period instead).
 */
export function healthCheckOf(req: Pick<SwarmServiceRequest, 'publish' | 'checks' | 'bootTimeoutSeconds'>, intervalSeconds: number): Docker.HealthConfig | undefined {
  const steps: string[][] = [];
  if (req.publish) steps.push(['/', '', 'any', '']);
  for (const c of req.checks) {
    if (strategyOf(c) !== 'path' || c.scheme === 'https') continue;
    const headers = (c.httpHeaders ?? []).map((h) => `${h.name}: ${h.value}\r\n`).join('');
    steps.push([requestTarget(c.path!), c.content ?? '', 'strict', headers]);
  }
  if (steps.length === 0) return undefined;
  const script = `${httpGet}; ${steps.map((_, i) => `get "\${${i * 4 + 1}}" "\${${i * 4 + 2}}" "\${${i * 4 + 3}}" "\${${i * 4 + 4}}"`).join(' && ')}`;
  // Docker keeps running the check after the start (a liveness check in effect: three failures in a
  // row and Swarm replaces the task), so it is lenient: at least Dokku's default 5 s per attempt.
  const timeout = Math.max(5, ...req.checks.map((c) => c.timeout));
  const attempts = Math.max(3, ...req.checks.map((c) => c.attempts));
  const delay = Math.max(0, ...req.checks.map((c) => c.initialDelay));
  return {
    Test: ['CMD', '/bin/bash', '-c', script, 'paas-health', ...steps.flat()],
    Interval: ns(intervalSeconds),
    Timeout: ns(timeout),
    Retries: attempts,
    StartPeriod: ns(req.bootTimeoutSeconds + delay),
  };
}

/** The longest uptime check of the type: how long Swarm watches each new task for a failure. */
export function monitorSeconds(checks: readonly HealthCheck[]): number {
  return Math.max(5, ...checks.filter((c) => strategyOf(c) === 'uptime').map((c) => c.uptime ?? 0));
}

export function isRunImage(entrypoint: readonly string[]): boolean {
  return entrypoint.length === 1 && entrypoint[0] === runImageEntrypoint;
}

/** The labels of the service (and, with role `swarm-task`, of its containers). */
export function serviceLabels(cluster: string, req: Pick<SwarmServiceRequest, 'app' | 'release' | 'type' | 'command' | 'memoryMb' | 'cpus'>, role: string): Record<string, string> {
  return {
    [label.cluster]: cluster,
    [label.app]: req.app,
    [label.release]: String(req.release),
    [label.process]: req.type,
    [label.type]: req.type,
    [label.command]: req.command,
    [label.role]: role,
    ...(req.memoryMb ? { [label.memory]: String(req.memoryMb) } : {}),
    ...(req.cpus ? { [label.cpus]: String(req.cpus) } : {}),
  };
}

/** The container part of a task: image, command, user, environment, hardening, limits and network. */
export function taskTemplate(
  req: Omit<SwarmServiceRequest, 'replicas'>,
  ctx: SwarmServiceContext,
  o: { dyno: string; role: string; restart: Docker.TaskRestartPolicy; health: boolean },
): Docker.ContainerTaskSpec {
  const runImage = isRunImage(ctx.entrypoint);
  const env = { ...req.env, PORT: String(req.port) };
  const exceptions = ctx.exceptions;
  const drain = runImage && req.publish && ctx.drainSeconds > 0;
  const health = o.health && runImage ? healthCheckOf(req, ctx.healthIntervalSeconds) : undefined;
  const containerSpec = {
    Image: req.image,
    ...(drain ? { Command: ['/bin/bash', '-c', drainShim, 'paas-drain', String(ctx.drainSeconds), runImageEntrypoint, req.command] } : { Args: [req.command] }),
    Env: [...Object.entries(env).map(([k, v]) => `${k}=${templateLiteral(v)}`), `DYNO=${o.dyno}`],
    Labels: serviceLabels(ctx.cluster, req, o.role),
    ...(exceptions?.image_user ? {} : ctx.userOverride ? { User: ctx.userOverride } : {}),
    Init: true,
    CapabilityDrop: ['ALL'],
    ...(exceptions?.cap_add.length ? { CapabilityAdd: [...exceptions.cap_add] } : {}),
    Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
    Mounts: [],
    StopGracePeriod: ns((drain ? ctx.drainSeconds : 0) + ctx.stopGraceSeconds),
    ...(health ? { HealthCheck: health } : {}),
  };
  return {
    ContainerSpec: containerSpec as Docker.ContainerSpec,
    Resources: {
      Limits: {
        ...(req.memoryMb ? { MemoryBytes: req.memoryMb * 1024 * 1024 } : {}),
        ...(req.cpus ? { NanoCPUs: Math.round(req.cpus * 1e9) } : {}),
        Pids: exceptions?.pids_limit ?? ctx.pidsLimit,
      } as Docker.ResourceRequirements['Limits'],
    },
    RestartPolicy: o.restart,
    Networks: [{ Target: ctx.network }],
    LogDriver: { Name: 'json-file', Options: { 'max-size': '10m', 'max-file': '2' } },
  };
}

/** The whole service spec of a process type (replicated, rolled start-first with rollback). */
export function serviceSpec(req: SwarmServiceRequest, ctx: SwarmServiceContext): Docker.ServiceSpec {
  const monitor = ns(monitorSeconds(req.checks));
  return {
    Name: serviceName(req.app, req.type),
    Labels: serviceLabels(ctx.cluster, req, 'process'),
    TaskTemplate: taskTemplate(req, ctx, {
      dyno: `${req.type}.{{.Task.Slot}}`,
      role: 'swarm-task',
      restart: { Condition: 'any', Delay: ns(ctx.restartDelaySeconds), MaxAttempts: 0 },
      health: req.gated,
    }),
    Mode: { Replicated: { Replicas: req.replicas } },
    UpdateConfig: { Parallelism: 1, Delay: 0, FailureAction: 'rollback', Monitor: monitor, MaxFailureRatio: 0, Order: 'start-first' },
    RollbackConfig: { Parallelism: 1, Delay: 0, FailureAction: 'pause', Monitor: monitor, MaxFailureRatio: 0, Order: 'start-first' },
    EndpointSpec: {
      Mode: 'dnsrr',
      Ports: req.publish ? [{ Protocol: 'tcp', TargetPort: req.port, PublishMode: 'host' }] : [],
    },
  };
}
