import type { BuildJobData, BuildResult, Logger } from '@paas/shared';
import { AppError } from '@paas/shared';
import type { BuildOutput } from './build-output.js';
import type { SourceListing } from './source-listing.js';

/** What a builder may look at to decide whether it builds an app: the job and its source's file names. */
export interface DetectContext {
  job: BuildJobData;
  source: SourceListing;
}

export interface BuildContext extends DetectContext {
  /** The user's build output (Heroku-style lines, streamed live). */
  output: BuildOutput;
  /** Aborted when the build runs out of time: the builder must stop its containers and return. */
  signal: AbortSignal;
  /** Operator log, already carrying the app, build and job ids. */
  log: Logger;
}

/**
 * The build seam: one implementation per way of turning source into an image (classic buildpacks
 * now, a Dockerfile builder later). `detect` is cheap and reads nothing but the context; `build`
 * writes its progress to `ctx.output` and throws an AppError (`build_failed`, `no_buildpack`, …) when
 * the app cannot be built.
 */
export interface Builder {
  /** Stable name, also the key in `builderPrecedence`. */
  readonly name: string;
  detect(ctx: DetectContext): boolean;
  build(ctx: BuildContext): Promise<BuildResult>;
}

/**
 * Which builder wins when several could build an app: first in this list. An app with a Dockerfile
 * is built from it; otherwise the buildpacks try (their own bin/detect scripts decide which one).
 */
export const builderPrecedence = ['dockerfile', 'buildpacks'] as const;

export type BuilderName = (typeof builderPrecedence)[number];

/** The builders this process has, kept in the declared precedence. */
export class BuilderRegistry {
  private readonly builders: Builder[];

  constructor(builders: Builder[]) {
    for (const b of builders) {
      if (!(builderPrecedence as readonly string[]).includes(b.name)) {
        throw new Error(`builder "${b.name}" has no place in builderPrecedence (${builderPrecedence.join(', ')})`);
      }
    }
    const rank = (b: Builder): number => (builderPrecedence as readonly string[]).indexOf(b.name);
    this.builders = [...builders].sort((a, b) => rank(a) - rank(b));
  }

  get names(): string[] {
    return this.builders.map((b) => b.name);
  }

  /** The first builder, in precedence order, that detects the app. */
  select(ctx: DetectContext): Builder {
    const builder = this.builders.find((b) => b.detect(ctx));
    if (!builder) throw new AppError('no_buildpack', `No builder detected this app: tried ${this.names.join(', ') || 'none'}`);
    return builder;
  }
}
