/**
 * Swarm's tasks as the platform's processes: pure, unit-tested. A process is a slot of a process
 * type's service (`web.2` is slot 2 of `<app>-web`), whatever task Swarm runs in it now: its id is
 * `<service id>.<slot>`, so a process Swarm restarts (a new task in the same slot) keeps its id, and
 * its restarts are the slot's tasks that exited. During a rolling update a slot briefly has two
 * tasks that should run (the new one starts first): the older one is listed as `<service id>.<slot>.<task id>`
 * until Swarm stops it, so the route keeps both while both serve.
 */
import { containerLabel } from '../container-labels.js';
import type { ProcessInfo, ProcessState } from '../runtime-backend.js';

const label = containerLabel;

/** The parts of Swarm's task object read here. */
export interface SwarmTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Status?: {
    Timestamp?: string;
    State?: string;
    Err?: string;
    Message?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: { TargetPort?: number; PublishedPort?: number; Protocol?: string }[] };
  };
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } };
}

export interface SwarmNode {
  ID: string;
  Description?: { Hostname?: string };
  Status?: { State?: string; Addr?: string };
  Spec?: { Labels?: Record<string, string>; Availability?: string; Role?: string };
  ManagerStatus?: { Addr?: string };
}

export interface SwarmService {
  ID: string;
  Spec?: { Name?: string; Labels?: Record<string, string>; Mode?: { Replicated?: { Replicas?: number } } };
  UpdateStatus?: { State?: string; Message?: string };
}

/** A process id of this runtime: `<service id>.<slot>`, or `…​.<task id>` for a task being replaced. */
const processId = /^([a-z0-9]{25})\.(\d{1,6})(?:\.([a-z0-9]{25}))?$/;

export function parseProcessId(id: string): { service: string; slot: number; task?: string } | undefined {
  const m = processId.exec(id);
  if (!m) return undefined;
  return { service: m[1]!, slot: Number(m[2]), ...(m[3] ? { task: m[3] } : {}) };
}

/** Task states that end a task: it will not run again. */
const ended = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);
/** The ends that are the process's own doing (an exit, a failure to start): they count as restarts. */
const exitedOnItsOwn = new Set(['complete', 'failed', 'rejected']);

function time(t: SwarmTask): number {
  return Date.parse(t.CreatedAt ?? '') || 0;
}

/** Where the node's published ports are reached (its address as Swarm knows it). */
export function nodeAddress(node: SwarmNode | undefined): string {
  const addr = node?.Status?.Addr;
  if (addr && addr !== '0.0.0.0') return addr;
  return node?.ManagerStatus?.Addr?.replace(/:\d+$/, '') ?? '';
}

function stateOf(task: SwarmTask, node: SwarmNode | undefined, restarts: number): ProcessState {
  const s = task.Status?.State ?? 'new';
  if (node && node.Status?.State !== 'ready') return 'down';
  if (s === 'running') return 'up';
  if (ended.has(s)) return 'crashed';
  // Waiting for Swarm to start it again after an exit (its restart delay), or still starting.
  return restarts > 0 ? 'crashed' : 'starting';
}

/**
 * The processes of `services` from their tasks: one per slot whose task should run (or is about to:
 * Swarm's delayed restart makes the next task `ready` first), newest first in the slot; a slot of an
 * update also lists the older task that still serves.
 */
export function processesOf(services: readonly SwarmService[], tasks: readonly SwarmTask[], nodes: readonly SwarmNode[]): ProcessInfo[] {
  const nodeById = new Map(nodes.map((n) => [n.ID, n]));
  const bySlot = new Map<string, SwarmTask[]>();
  for (const t of tasks) {
    if (t.Slot === undefined) continue;
    const key = `${t.ServiceID}.${t.Slot}`;
    const list = bySlot.get(key) ?? [];
    list.push(t);
    bySlot.set(key, list);
  }
  const out: ProcessInfo[] = [];
  for (const svc of services) {
    const labels = svc.Spec?.Labels ?? {};
    const type = labels[label.process] ?? '';
    for (const [key, slotTasks] of bySlot) {
      if (!key.startsWith(`${svc.ID}.`)) continue;
      const slot = Number(key.slice(svc.ID.length + 1));
      const live = slotTasks.filter((t) => t.DesiredState === 'running' || t.DesiredState === 'ready').sort((a, b) => time(b) - time(a));
      if (live.length === 0) continue;
      const restarts = slotTasks.filter((t) => exitedOnItsOwn.has(t.Status?.State ?? '') && t.DesiredState !== 'remove').length;
      live.forEach((t, i) => {
        const node = t.NodeID ? nodeById.get(t.NodeID) : undefined;
        // An older task of the slot counts only while it runs (the start-first half of an update).
        if (i > 0 && t.Status?.State !== 'running') return;
        const tl = t.Spec?.ContainerSpec?.Labels ?? labels;
        const published = t.Status?.PortStatus?.Ports?.find((p) => p.PublishedPort);
        out.push({
          id: i === 0 ? key : `${key}.${t.ID}`,
          app: tl[label.app] ?? labels[label.app] ?? '',
          release: Number(tl[label.release] ?? labels[label.release] ?? 0),
          type,
          name: `${type}.${slot}`,
          host: node?.Description?.Hostname ?? t.NodeID ?? '',
          address: nodeAddress(node),
          port: published?.PublishedPort,
          state: stateOf(t, node, restarts),
          command: tl[label.command] ?? labels[label.command] ?? '',
          startedAt: new Date(t.Status?.Timestamp ?? t.CreatedAt ?? 0),
          restartCount: restarts,
          ...(tl[label.memory] ? { memoryMb: Number(tl[label.memory]) } : {}),
          ...(tl[label.cpus] ? { cpus: Number(tl[label.cpus]) } : {}),
        });
      });
    }
  }
  return out.sort((a, b) => a.app.localeCompare(b.app) || a.name.localeCompare(b.name, undefined, { numeric: true }));
}

/** Why the last failed task of a service failed (for a rollout's error), if one did. */
export function lastFailure(tasks: readonly SwarmTask[]): string | undefined {
  const failed = tasks.filter((t) => t.Status?.State === 'failed' || t.Status?.State === 'rejected').sort((a, b) => time(b) - time(a))[0];
  if (!failed) return undefined;
  const code = failed.Status?.ContainerStatus?.ExitCode;
  return [failed.Status?.Err, code !== undefined && code !== 0 ? `exit code ${code}` : undefined].filter(Boolean).join(', ') || failed.Status?.Message;
}
