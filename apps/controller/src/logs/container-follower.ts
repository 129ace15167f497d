import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { LogEntry, Logger } from '@paas/shared';
import { DockerLogFrameParser, sinceSeconds } from './docker-log-frames.js';
import { LineSplitter } from './line-splitter.js';

export interface FollowTarget {
  /** Container id. */
  id: string;
  app: string;
  /** `web.1` */
  process: string;
  host: string;
}

/** Where a follower's lines go: written with the cursor in one transaction, so a restart neither loses nor repeats a line. */
export type FollowerSink = (target: FollowTarget, lines: LogEntry[], cursor: string | undefined) => Promise<void>;

/** Lines waiting for Redis before the follower stops reading from the engine. */
const maxPending = 20_000;
// Well under the stream length, so a tail reading as lines come never finds a batch already trimmed.
const batchLines = 256;
const maxInflight = 4;

/**
 * Follows one container's stdout and stderr from the engine (`logs?follow&timestamps&since`) into
 * the app's log stream, from `cursor` (the Docker timestamp of the last line stored) on: messages
 * at or before it are skipped, so resuming after a restart or a dropped connection repeats nothing.
 * Resolves when the engine ends the stream (the container stopped, or the connection dropped).
 */
export class ContainerFollower {
  private readonly abort = new AbortController();
  /** Lines waiting for Redis; `cursor` on a line whose message (and every one before) it completes. */
  private pending: { entry: LogEntry; cursor?: string }[] = [];
  /** A cursor to store with no line of its own (the stream ended on a message without lines). */
  private pendingCursor: string | undefined;
  private inflight = 0;
  private readonly idle: (() => void)[] = [];
  private stream: Readable | undefined;
  private failed: Error | undefined;

  constructor(
    private readonly docker: Docker,
    readonly target: FollowTarget,
    private cursor: string | undefined,
    private readonly sink: FollowerSink,
    private readonly log: Logger,
  ) {}

  /** The timestamp of the last line stored. */
  get position(): string | undefined {
    return this.cursor;
  }

  stop(): void {
    this.abort.abort();
    this.stream?.destroy();
  }

  async run(): Promise<void> {
    const stream = (await this.docker.getContainer(this.target.id).logs({
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      since: this.cursor ? sinceSeconds(this.cursor) : 0,
      abortSignal: this.abort.signal,
    } as Docker.ContainerLogsOptions & { follow: true })) as unknown as Readable;
    this.stream = stream;
    const parser = new DockerLogFrameParser();
    const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    let lastTs: string | undefined;
    // Per stream (the engine stamps stdout and stderr apart): the last message's timestamp, and
    // whether it ended its line (another message with its timestamp is then a repeat).
    const seen = { stdout: { ts: '', complete: false }, stderr: { ts: '', complete: false } };
    const take = (lines: { text: string; ts: string }[]): void => {
      for (const l of lines) this.pending.push({ entry: { ts: l.ts, source: 'app', process: this.target.process, line: l.text } });
    };
    await new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        for (const frame of parser.push(chunk)) {
          if (this.cursor !== undefined && frame.ts !== '' && frame.ts <= this.cursor) continue;
          // Docker 20.10 re-sends messages after rotating a json-file log; a stream's timestamps never go back.
          const last = seen[frame.stream];
          if (frame.ts !== '' && (frame.ts < last.ts || (frame.ts === last.ts && last.complete))) continue;
          last.ts = frame.ts;
          last.complete = frame.content.length > 0 && frame.content[frame.content.length - 1] === 0x0a;
          const splitter = splitters[frame.stream];
          take(splitter.push(frame.content, frame.ts || new Date().toISOString()));
          if (frame.ts && (lastTs === undefined || frame.ts > lastTs)) lastTs = frame.ts;
          // A message that ends its line (and leaves nothing waiting) is wholly stored with the line it ends.
          const newest = this.pending[this.pending.length - 1];
          if (!splitters.stdout.partial && !splitters.stderr.partial && lastTs && newest) newest.cursor = lastTs;
        }
        if (this.pending.length > 0) this.kick();
        if (this.pending.length >= maxPending) stream.pause();
      });
      stream.on('error', (err: Error) => {
        if (!this.abort.signal.aborted) this.log.debug({ container: this.target.id, err: err.message }, 'log stream error');
        resolve();
      });
      stream.on('end', resolve);
      stream.on('close', resolve);
    });
    // The engine ended the stream: whatever waits for a newline is a line of its own.
    take(splitters.stdout.flush());
    take(splitters.stderr.flush());
    const last = this.pending[this.pending.length - 1];
    if (lastTs && last) last.cursor = lastTs;
    else if (lastTs && lastTs !== this.cursor) this.pendingCursor = lastTs;
    this.kick();
    await this.settled();
    if (this.failed) throw this.failed;
  }

  /**
   * Writes pending lines in batches, a few in flight at once on the one connection (Redis applies
   * them in order, so the stored cursor only moves forward).
   */
  private kick(): void {
    while (!this.failed && this.inflight < maxInflight && (this.pending.length > 0 || this.pendingCursor !== undefined)) {
      const batch = this.pending.splice(0, batchLines);
      let cursor = this.pendingCursor;
      this.pendingCursor = undefined;
      for (let i = batch.length - 1; i >= 0; i--) {
        const c = batch[i]!.cursor;
        if (c !== undefined) {
          cursor = c;
          break;
        }
      }
      this.inflight += 1;
      this.sink(
        this.target,
        batch.map((p) => p.entry),
        cursor,
      )
        .then(
          () => {
            if (cursor !== undefined && (this.cursor === undefined || cursor > this.cursor)) this.cursor = cursor;
          },
          (err: unknown) => {
            this.failed ??= err as Error;
            this.stop();
          },
        )
        .finally(() => {
          this.inflight -= 1;
          if (this.pending.length < maxPending / 2) this.stream?.resume();
          this.kick();
          if (this.inflight === 0 && (this.pending.length === 0 || this.failed)) for (const done of this.idle.splice(0)) done();
        });
    }
  }

  /** Resolves when nothing is pending or in flight. */
  private settled(): Promise<void> {
    if (this.inflight === 0 && (this.pending.length === 0 || this.failed)) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
