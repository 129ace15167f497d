/**
 * Optional runtime capability: one-off processes (`paas run`), next to RuntimeBackend. A one-off runs
 * a command with a release's image and config in a new container labelled `paas.role=run` and
 * `paas.process=run.N`; it is not routed, not part of the formation (the reconcile loop never sees
 * it: `RuntimeBackend.list` does not return it), and is removed after it exits. Attached, its stdin,
 * stdout and stderr are the caller's streams; detached, it runs to completion in the background and
 * its container is kept for its output (`listOneOffs` shows it) until it is pruned a day later.
 */
import type { Readable, Writable } from 'node:stream';
import type { TerminalSize } from '@paas/shared';
import type { ProcessInfo, RuntimeBackend } from './runtime-backend.js';

export interface OneOffSpec {
  app: string;
  release: number;
  /** `run.N`: N, unique within the app. */
  index: number;
  image: string;
  /** A command line, run like a Procfile command (by bash in the container). */
  command: string;
  env: Record<string, string>;
  /** The PORT it is given (not published). */
  port: number;
  /** Allocate a terminal (interactive sessions): stdout and stderr are then one stream. */
  tty: boolean;
  /** The terminal's initial size, with `tty`. */
  size?: TerminalSize;
  memoryMb?: number;
  cpus?: number;
}

/** The caller's side of an attached one-off. */
export interface OneOffIo {
  /** Becomes the process's stdin; its end closes the process's stdin. */
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Aborted when the caller goes away: the process is killed and removed. */
  signal: AbortSignal;
}

export interface AttachedOneOff {
  info: ProcessInfo;
  /** Resolves with the exit code once the process has exited and all its output was written. */
  exit: Promise<number>;
  /** Resizes its terminal (a no-op without a tty). */
  resize(size: TerminalSize): Promise<void>;
}

export interface OneOffRunner {
  /** Starts an attached one-off: resolves once it runs, rejects when it cannot be started. */
  runAttached(spec: OneOffSpec, io: OneOffIo): Promise<AttachedOneOff>;
  /** Starts a one-off that runs to completion in the background. */
  runDetached(spec: OneOffSpec): Promise<ProcessInfo>;
  /** One-off processes, running or exited and kept. `RuntimeBackend.stop` stops and removes one. */
  listOneOffs(filter?: { app?: string }): Promise<ProcessInfo[]>;
}

export function isOneOffRunner(r: RuntimeBackend): r is RuntimeBackend & OneOffRunner {
  const c = r as Partial<OneOffRunner>;
  return typeof c.runAttached === 'function' && typeof c.runDetached === 'function' && typeof c.listOneOffs === 'function';
}

/** The process type of one-offs: their names are `run.N`. */
export const oneOffType = 'run';

export function isOneOffName(name: string): boolean {
  return name.startsWith(`${oneOffType}.`);
}

/** Optional capability: whether an image has one of some files (the run image of `paas pg:psql`). */
export interface ImageFiles {
  imageHasAny(image: string, paths: readonly string[]): Promise<boolean>;
}

export function hasImageFiles(r: RuntimeBackend): r is RuntimeBackend & ImageFiles {
  return typeof (r as Partial<ImageFiles>).imageHasAny === 'function';
}
