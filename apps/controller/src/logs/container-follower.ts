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
const batchLines = 2_000;

/**
 * Follows one container's stdout and stderr from the engine (`logs?follow&timestamps&since`) into
 * the app's log stream, from `cursor` (the Docker timestamp of the last line stored) on: messages
 * at or before it are skipped, so resuming after a restart or a dropped connection repeats nothing.
 * Resolves when the engine ends the stream (the container stopped, or the connection dropped).
 */
export class ContainerFollower {
  private readonly abort = new AbortController();
  private pending: LogEntry[] = [];
  /** Timestamp of the newest message fully turned into pending lines. */
  private pendingCursor: string | undefined;
  private flushing: Promise<void> | undefined;
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
    const take = (lines: { text: string; ts: string }[]): void => {
      for (const l of lines) this.pending.push({ ts: l.ts, source: 'app', process: this.target.process, line: l.text });
    };
    await new Promise<void>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        for (const frame of parser.push(chunk)) {
          if (this.cursor !== undefined && frame.ts !== '' && frame.ts <= this.cursor) continue;
          const splitter = splitters[frame.stream];
          take(splitter.push(frame.content, frame.ts || new Date().toISOString()));
          if (frame.ts) lastTs = frame.ts;
          // A message that ends its line (or leaves nothing waiting) is wholly stored once pending is written.
          if (!splitters.stdout.partial && !splitters.stderr.partial && lastTs) this.pendingCursor = lastTs;
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
    if (lastTs) this.pendingCursor = lastTs;
    this.kick();
    while (this.flushing) await this.flushing;
    if (this.failed) throw this.failed;
  }

  /** Writes pending lines, one batch in flight at a time. */
  private kick(): void {
    if (this.flushing || this.failed) return;
    this.flushing = (async () => {
      while (!this.failed) {
        const moved = this.pendingCursor !== undefined && this.pendingCursor !== this.cursor;
        if (this.pending.length === 0 && !moved) break;
        const batch = this.pending.splice(0, batchLines);
        const cursor = this.pending.length === 0 ? this.pendingCursor : undefined;
        try {
          await this.sink(this.target, batch, cursor);
          if (cursor !== undefined) this.cursor = cursor;
        } catch (err) {
          this.failed = err as Error;
          this.stop();
        }
        if (this.pending.length < maxPending / 2) this.stream?.resume();
      }
    })().finally(() => {
      this.flushing = undefined;
    });
  }
}
