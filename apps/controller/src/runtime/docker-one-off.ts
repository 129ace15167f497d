import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { sleep, type Logger, type TerminalSize } from '@paas/shared';
import type { ProcessInfo, ProcessState } from './runtime-backend.js';
import { oneOffType, type AttachedOneOff, type OneOffIo, type OneOffSpec } from './one-off.js';
import { containerLabel } from './container-labels.js';
import { hardenedHostConfig, platformLabels, withExceptions, type HardeningExceptions, type ImageRunFactsCache } from './container-hardening.js';
import type { AppNetworking } from './internal-names.js';

export interface DockerOneOffOptions {
  docker: Docker;
  hostName: string;
  /** Where the host is reached (reported in ProcessInfo). */
  address: string;
  cluster: string;
  /** What the runtime knows of each image (the user it runs as, its labels). */
  images: ImageRunFactsCache;
  pidsLimit: number;
  /** The operator's loosening of an app's hardening, read at each one-off's creation. */
  exceptions?: (app: string) => Promise<HardeningExceptions | undefined>;
  /** The app's network on this engine (made when missing) and its containers' /etc/hosts entries. */
  network: (app: string) => Promise<AppNetworking>;
  log: Logger;
}

const label = containerLabel;

/** Exited one-offs kept for their output are removed after this long. */
const keepExitedMs = 24 * 3600 * 1000;

/** One-off processes (`paas run`) as containers on one Docker engine. */
export class DockerOneOffs {
  constructor(private readonly o: DockerOneOffOptions) {}

  async runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff> {
    const container = await this.create(spec, true);
    let stream: Duplex;
    try {
      // Attach before start, so no output is missed.
      stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      // The engine client's idle timeout must not end a quiet interactive session.
      (stream as Partial<import('node:net').Socket>).setTimeout?.(0);
      await container.start();
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    const resize = async (size: TerminalSize): Promise<void> => {
      if (!spec.tty) return;
      await container.resize({ h: size.rows, w: size.cols }).catch(() => undefined);
    };
    if (spec.size) await resize(spec.size);

    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    if (spec.tty) stream.on('data', (chunk: Buffer) => io.stdout.write(chunk));
    else this.o.docker.modem.demuxStream(stream, io.stdout, io.stderr);

    const onInput = (chunk: Buffer): void => {
      if (!stream.destroyed) stream.write(chunk);
    };
    // End of input closes the process's stdin; with a tty the engine would drop the output with it,
    // and a terminal's end of input is a ^D byte anyway.
    const onInputEnd = (): void => {
      if (!spec.tty && !stream.destroyed) stream.end();
    };
    io.stdin.on('data', onInput);
    io.stdin.once('end', onInputEnd);
    const kill = (): void => {
      this.o.log.info({ app: spec.app, process: `run.${spec.index}`, container: container.id }, 'one-off caller went away: killing it');
      container.kill().catch(() => undefined);
    };
    if (io.signal.aborted) kill();
    else io.signal.addEventListener('abort', kill, { once: true });

    const exit = (async (): Promise<number> => {
      await ended;
      // The engine closes the attach stream when the process exits; the exit code follows shortly.
      for (let i = 0; i < 50; i++) {
        const state = await container.inspect().then((c) => c.State);
        if (!state.Running) return state.ExitCode;
        if (i === 0 && !stream.destroyed) stream.destroy();
        await sleep(100);
      }
      throw new Error('the connection to the process was lost while it still ran');
    })().finally(() => {
      io.stdin.off('data', onInput);
      io.stdin.off('end', onInputEnd);
      io.signal.removeEventListener('abort', kill);
      if (!stream.destroyed) stream.destroy();
      container.remove({ force: true }).catch((err: unknown) => this.o.log.warn({ container: container.id, err }, 'one-off removal failed'));
    });

    return { info: await this.info(container.id, spec), exit, resize };
  }

  async runDetached(spec: OneOffSpec): Promise<ProcessInfo> {
    const container = await this.create(spec, false);
    try {
      await container.start();
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    this.o.log.info({ app: spec.app, release: spec.release, process: `run.${spec.index}`, container: container.id }, 'one-off started');
    return this.info(container.id, spec);
  }

  async list(filter: { app?: string } = {}): Promise<ProcessInfo[]> {
    const labels = [`${label.cluster}=${this.o.cluster}`, `${label.role}=run`];
    if (filter.app) labels.push(`${label.app}=${filter.app}`);
    const containers = await this.o.docker.listContainers({ all: true, filters: { label: labels } });
    return containers.map((c) => {
      const l = c.Labels;
      return {
        id: c.Id,
        app: l[label.app] ?? '',
        release: Number(l[label.release] ?? 0),
        type: oneOffType,
        name: l[label.process] ?? '',
        host: this.o.hostName,
        address: this.o.address,
        port: undefined,
        state: oneOffState(c.State, c.Status),
        command: l[label.command] ?? '',
        startedAt: new Date(c.Created * 1000),
        restartCount: 0,
        memoryMb: l[label.memory] ? Number(l[label.memory]) : undefined,
        cpus: l[label.cpus] ? Number(l[label.cpus]) : undefined,
      };
    });
  }

  private async create(spec: OneOffSpec, attached: boolean): Promise<Docker.Container> {
    await this.prune().catch((err: unknown) => this.o.log.warn({ err }, 'pruning old one-offs failed'));
    const name = `${oneOffType}.${spec.index}`;
    const env = { ...spec.env, PORT: String(spec.port), DYNO: name };
    const image = await this.o.images.of(spec.image);
    const network = await this.o.network(spec.app);
    const hardened = withExceptions(hardenedHostConfig(this.o.pidsLimit), image.userOverride, await this.o.exceptions?.(spec.app));
    return this.o.docker.createContainer({
      name: `paas-${this.o.cluster}-${spec.app}-${name}-v${spec.release}-${randomBytes(3).toString('hex')}`,
      Image: spec.image,
      Cmd: [spec.command],
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Tty: attached && spec.tty,
      OpenStdin: attached,
      StdinOnce: attached,
      AttachStdin: attached,
      AttachStdout: attached,
      AttachStderr: attached,
      User: hardened.user,
      Labels: platformLabels(
        {
          [label.cluster]: this.o.cluster,
          [label.app]: spec.app,
          [label.release]: String(spec.release),
          [label.process]: name,
          [label.type]: oneOffType,
          [label.command]: spec.command,
          [label.role]: 'run',
          ...(spec.memoryMb ? { [label.memory]: String(spec.memoryMb) } : {}),
          ...(spec.cpus ? { [label.cpus]: String(spec.cpus) } : {}),
        },
        image.labels,
      ),
      HostConfig: {
        ...hardened.hostConfig,
        NetworkMode: network.name,
        ExtraHosts: network.extraHosts,
        Init: true,
        Memory: spec.memoryMb ? spec.memoryMb * 1024 * 1024 : undefined,
        NanoCpus: spec.cpus ? Math.round(spec.cpus * 1e9) : undefined,
        RestartPolicy: { Name: 'no' },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
      },
    });
  }

  private async info(id: string, spec: OneOffSpec): Promise<ProcessInfo> {
    const c = await this.o.docker.getContainer(id).inspect();
    return {
      id,
      app: spec.app,
      release: spec.release,
      type: oneOffType,
      name: `${oneOffType}.${spec.index}`,
      host: this.o.hostName,
      address: this.o.address,
      port: undefined,
      state: c.State.Running ? 'up' : oneOffState(c.State.Status, `Exited (${c.State.ExitCode})`),
      command: spec.command,
      startedAt: new Date(c.State.StartedAt),
      restartCount: 0,
      memoryMb: spec.memoryMb,
      cpus: spec.cpus,
    };
  }

  /** Removes exited one-offs (kept for their output) after a day. */
  private async prune(): Promise<void> {
    const containers = await this.o.docker.listContainers({
      all: true,
      filters: { label: [`${label.cluster}=${this.o.cluster}`, `${label.role}=run`], status: ['exited', 'dead'] },
    });
    const old = containers.filter((c) => Date.now() - c.Created * 1000 > keepExitedMs);
    for (const c of old) {
      const finished = (await this.o.docker.getContainer(c.Id).inspect()).State.FinishedAt;
      if (Date.now() - new Date(finished).getTime() > keepExitedMs) await this.o.docker.getContainer(c.Id).remove({ force: true });
    }
  }
}

function oneOffState(state: string, status: string): ProcessState {
  switch (state) {
    case 'running':
      return 'up';
    case 'created':
      return 'starting';
    case 'exited':
    case 'dead':
      return /Exited \(0\)/.test(status) ? 'down' : 'crashed';
    default:
      return 'down';
  }
}
