/**
 * One-off processes (`paas run`) on Swarm: each is a replicated job (API 1.41: one completion, never
 * restarted) `<app>-run-N`, labelled `paas.role=run` and `paas.process=run.N`, with the app's
 * hardening, limits and network. Attached, the caller gets its output as the task writes it (the
 * service's log stream) and its exit code; the job is removed after it exits. What Swarm cannot
 * give: stdin and a terminal (a task has no attach through the manager), so an attached one-off's
 * input is not passed on and `tty` is ignored; see docs/runtime-backend.md.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { sleep, type Logger, type TerminalSize } from '@paas/shared';
import type { ProcessInfo, ProcessState } from '../runtime-backend.js';
import { oneOffType, type AttachedOneOff, type OneOffIo, type OneOffSpec } from '../one-off.js';
import { containerLabel } from '../container-labels.js';
import { serviceLabels, serviceName, taskTemplate, type SwarmServiceContext } from './swarm-service-spec.js';
import type { SwarmService, SwarmTask } from './swarm-tasks.js';
import { nodeAddress, type SwarmNode } from './swarm-tasks.js';

export interface SwarmOneOffOptions {
  manager: Docker;
  cluster: string;
  /** The app's network and the image on the nodes, as for its processes. */
  prepare: (app: string, image: string, signal: AbortSignal) => Promise<SwarmServiceContext>;
  log: Logger;
}

const label = containerLabel;
const endedStates = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

function newest(tasks: readonly SwarmTask[]): SwarmTask | undefined {
  return [...tasks].sort((a, b) => Date.parse(b.CreatedAt ?? '') - Date.parse(a.CreatedAt ?? ''))[0];
}

function stateOf(task: SwarmTask | undefined): ProcessState {
  const s = task?.Status?.State ?? 'new';
  if (s === 'running') return 'up';
  if (s === 'complete') return 'down';
  if (endedStates.has(s)) return 'crashed';
  return 'starting';
}

export class SwarmOneOffs {
  constructor(private readonly o: SwarmOneOffOptions) {}

  private async create(spec: OneOffSpec): Promise<SwarmService> {
    const signal = AbortSignal.timeout(600_000);
    const ctx = await this.o.prepare(spec.app, spec.image, signal);
    const name = `${oneOffType}.${spec.index}`;
    const req = { ...spec, type: oneOffType, publish: false, checks: [], bootTimeoutSeconds: 0, gated: false };
    const labels = { ...serviceLabels(this.o.cluster, req, 'run'), [label.process]: name };
    const template = taskTemplate(req, ctx, { dyno: name, role: 'run', restart: { Condition: 'none', MaxAttempts: 0 }, health: false });
    const containerSpec = (template as { ContainerSpec: { Labels: Record<string, string> } }).ContainerSpec;
    containerSpec.Labels = { ...containerSpec.Labels, [label.process]: name };
    const created = (await this.o.manager.createService({
      Name: serviceName(spec.app, `run-${spec.index}`),
      Labels: labels,
      TaskTemplate: template,
      Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
      abortSignal: signal,
    })) as unknown as { id?: string; ID?: string };
    const id = created.ID ?? created.id ?? '';
    this.o.log.info({ app: spec.app, release: spec.release, process: name, service: id }, 'one-off started');
    return { ID: id, Spec: { Name: serviceName(spec.app, `run-${spec.index}`), Labels: labels } };
  }

  private async tasks(service: string, abortSignal?: AbortSignal): Promise<SwarmTask[]> {
    return (await this.o.manager.listTasks({ filters: { service: [service] }, abortSignal })) as SwarmTask[];
  }

  private info(svc: SwarmService, task: SwarmTask | undefined, nodes: readonly SwarmNode[]): ProcessInfo {
    const l = svc.Spec?.Labels ?? {};
    const node = nodes.find((n) => n.ID === task?.NodeID);
    return {
      id: `${svc.ID}.0`,
      app: l[label.app] ?? '',
      release: Number(l[label.release] ?? 0),
      type: oneOffType,
      name: l[label.process] ?? '',
      host: node?.Description?.Hostname ?? '',
      address: nodeAddress(node),
      port: undefined,
      state: stateOf(task),
      command: l[label.command] ?? '',
      startedAt: new Date(task?.Status?.Timestamp ?? task?.CreatedAt ?? Date.now()),
      restartCount: 0,
      ...(l[label.memory] ? { memoryMb: Number(l[label.memory]) } : {}),
      ...(l[label.cpus] ? { cpus: Number(l[label.cpus]) } : {}),
    };
  }

  async runDetached(spec: OneOffSpec): Promise<ProcessInfo> {
    const svc = await this.create(spec);
    return this.info(svc, undefined, []);
  }

  async runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    const svc = await this.create(spec);
    const service = this.o.manager.getService(svc.ID);
    let output: Readable | undefined;
    let seen = Date.now();
    try {
      output = (await service.logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
      output.on('data', () => (seen = Date.now()));
      output.on('error', () => undefined);
      this.o.manager.modem.demuxStream(output, io.stdout, io.stderr);
    } catch (err) {
      await this.remove(svc.ID).catch(() => undefined);
      throw err;
    }
    const kill = (): void => {
      this.o.log.info({ app: spec.app, process: `run.${spec.index}` }, 'one-off caller went away: removing it');
      void this.remove(svc.ID).catch(() => undefined);
    };
    if (io.signal.aborted) kill();
    else io.signal.addEventListener('abort', kill, { once: true });
    const exit = (async (): Promise<number> => {
      for (;;) {
        const task = newest(await this.tasks(svc.ID).catch(() => []));
        if (!task && io.signal.aborted) return 137;
        if (task && endedStates.has(task.Status?.State ?? '')) {
          // Its last lines follow the end of the task: the stream is read until it has been quiet a moment.
          const ended = Date.now();
          while (Date.now() - seen < 500 && Date.now() - ended < 5000) await sleep(100);
          return task.Status?.ContainerStatus?.ExitCode ?? (task.Status?.State === 'complete' ? 0 : 1);
        }
        await sleep(250);
      }
    })().finally(() => {
      io.signal.removeEventListener('abort', kill);
      output?.destroy();
      void this.remove(svc.ID).catch((err: unknown) => this.o.log.warn({ service: svc.ID, err }, 'one-off removal failed'));
    });
    const resize = async (_size: TerminalSize): Promise<void> => undefined;
    return { info: this.info(svc, undefined, []), exit, resize };
  }

  async list(filter: { app?: string } = {}): Promise<ProcessInfo[]> {
    const labels = [`${label.cluster}=${this.o.cluster}`, `${label.role}=run`];
    if (filter.app) labels.push(`${label.app}=${filter.app}`);
    const services = (await this.o.manager.listServices({ filters: { label: labels } })) as SwarmService[];
    if (services.length === 0) return [];
    const [tasks, nodes] = await Promise.all([
      this.o.manager.listTasks({ filters: { service: services.map((s) => s.ID) } }) as Promise<SwarmTask[]>,
      this.o.manager.listNodes() as Promise<SwarmNode[]>,
    ]);
    return services.map((s) => this.info(s, newest(tasks.filter((t) => t.ServiceID === s.ID)), nodes));
  }

  /** Removes a one-off's job: Swarm stops its task if it still runs. */
  async remove(service: string, abortSignal?: AbortSignal): Promise<void> {
    await this.o.manager
      .getService(service)
      .remove({ abortSignal } as object)
      .catch((err: unknown) => {
        if ((err as { statusCode?: number }).statusCode !== 404) throw err;
      });
  }
}
