import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Logger } from '@paas/shared';
import type { PlatformEvents } from './platform-events.js';

export interface HostEventsOptions {
  docker: Docker;
  host: string;
  cluster: string;
  events: PlatformEvents;
  log: Logger;
  /** A platform container started (new, or restarted by the engine after a crash). */
  onStart?: (id: string) => void;
  /** A process crashed (died while its restart policy would bring it back). */
  onCrash?: (app: string, process: string, host: string) => void;
  /** A process died and the engine will not start it again (killed from outside): the reconcile replaces it. */
  onAbandoned?: (app: string, process: string, host: string) => void;
}

interface EngineEvent {
  status?: string;
  Action?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/**
 * A host's container events (start, die, oom) for platform processes, as `platform` lines of the
 * app's log: `Starting process with command …`, `Process exited with status 1`, `State changed from
 * up to crashed`. A container the platform stops has its restart policy set to `no` first; one
 * that dies with `always` crashed. Reconnects after a dropped stream from the last event's second,
 * skipping events already seen.
 */
export class HostEvents {
  private readonly abort = new AbortController();
  private stream: Readable | undefined;
  private since = Math.floor(Date.now() / 1000);
  private readonly seen = new Set<string>();
  private stopped = false;
  /** Events are handled one after another, so their lines keep the engine's order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: HostEventsOptions) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    this.stream?.destroy();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.follow();
      } catch (err) {
        if (!this.stopped) this.o.log.debug({ host: this.o.host, err: (err as Error).message }, 'engine events stream failed');
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  private async follow(): Promise<void> {
    const stream = (await this.o.docker.getEvents({
      since: this.since,
      filters: { type: ['container'], event: ['start', 'die', 'oom'], label: [`paas.cluster=${this.o.cluster}`, 'paas.role=process'] },
      abortSignal: this.abort.signal,
    } as Parameters<Docker['getEvents']>[0])) as unknown as Readable;
    this.stream = stream;
    let buffered = '';
    await new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const text = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (!text) continue;
          try {
            const event = JSON.parse(text) as EngineEvent;
            this.chain = this.chain.then(() => this.handle(event));
          } catch {
            // not JSON: skip
          }
        }
      });
      stream.on('error', () => resolve());
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
    });
  }

  private async handle(e: EngineEvent): Promise<void> {
    const action = e.Action ?? e.status ?? '';
    const id = e.Actor?.ID ?? e.id ?? '';
    const key = `${id}:${action}:${e.timeNano ?? e.time}`;
    if (this.seen.has(key)) return;
    if (this.seen.size > 2000) this.seen.clear();
    this.seen.add(key);
    if (e.time) this.since = Math.max(this.since, e.time);
    const attrs = e.Actor?.Attributes ?? {};
    const app = attrs['paas.app'];
    const process = attrs['paas.process'] ?? 'app';
    if (!app || !id) return;
    const say = (line: string): Promise<void> => this.o.events.say(app, line, process);
    try {
      if (action === 'start') {
        this.o.onStart?.(id);
        const info = await this.inspect(id);
        const restarts = info?.RestartCount ?? 0;
        if (restarts > 0) await say(`State changed from crashed to starting (restart ${restarts} on host ${this.o.host})`);
        else await say(`Starting process with command \`${attrs['paas.command'] ?? ''}\` on host ${this.o.host}`);
      } else if (action === 'die') {
        const info = await this.inspect(id);
        const crashed = info?.HostConfig?.RestartPolicy?.Name === 'always';
        await say(`Process exited with status ${attrs['exitCode'] ?? '?'}`);
        await say(crashed ? 'State changed from up to crashed' : 'State changed from up to down');
        if (crashed) this.o.onCrash?.(app, process, this.o.host);
        // The engine decided before it told: restarting (its backoff) or left exited (docker kill).
        if (crashed && info?.State && !info.State.Restarting && !info.State.Running) this.o.onAbandoned?.(app, process, this.o.host);
      } else if (action === 'oom') {
        await say('Error R14 (Memory quota exceeded): the process used more than its memory limit and was killed');
      }
    } catch (err) {
      this.o.log.debug({ host: this.o.host, err: (err as Error).message }, 'engine event not handled');
    }
  }

  private async inspect(id: string): Promise<Docker.ContainerInspectInfo | undefined> {
    try {
      return await this.o.docker.getContainer(id).inspect();
    } catch {
      return undefined; // removed already: the platform stopped it
    }
  }
}
