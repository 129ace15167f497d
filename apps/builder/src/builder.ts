import type { BuildJobData, BuildResult, Logger } from '@paas/shared';
import { AppError } from '@paas/shared';
import type { BuildOutput } from './build-output.js';
import { explicitBuildpacks } from './buildpack-plan.js';
import type { SourceListing } from './source-listing.js';

/** What a builder may look at to decide whether it builds an app: the job and its source's file names. */
export interface DetectContext {
  job: BuildJobData;
  source: SourceListing;
}

export interface BuildContext extends DetectContext {
  /** The user's build output (Heroku-style lines, streamed live). */
  output: BuildOutput;
  /** Aborted when the build runs out of time or is cancelled: the builder must stop its containers and return. */
  signal: AbortSignal;
  /** Operator log, already carrying the app, build and job ids. */
  log: Logger;
  /**
   * Work to finish after the build's end is recorded (removing the build container): the result
   * reaches the controller without waiting for it, the job ends once it is done.
   */
  cleanup(work: Promise<unknown>): void;
}

/**
 * The build seam: one implementation per way of turning source into an image (classic buildpacks,
 * Dockerfiles). `detect` is cheap and reads nothing but the context; `build`
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
 * Which builder builds an app: the one place this is decided.
 *   1. The app's config var `PAAS_BUILDER` (`dockerfile` or `buildpacks`), when set.
 *   2. Buildpacks, when the app names some (its buildpacks setting, BUILDPACK_URL, a .buildpacks file).
 *   3. Otherwise the first builder of this list whose detect() accepts the source: an app with a
 *      Dockerfile at its root is built from it; any other is for the buildpacks' bin/detect scripts.
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

  /** The builder for an app, by the rules of `builderPrecedence`. */
  select(ctx: DetectContext): Builder {
    const forced = ctx.job.env['PAAS_BUILDER']?.trim();
    if (forced) {
      const builder = this.builders.find((b) => b.name === forced);
      if (!builder) throw new AppError('build_failed', `PAAS_BUILDER is "${forced}": this builder has ${this.names.join(', ')}`);
      return builder;
    }
    const named = explicitBuildpacks({ appBuildpacks: ctx.job.buildpacks, env: ctx.job.env, dotBuildpacks: ctx.source.file('.buildpacks'), appJson: ctx.source.file('app.json') });
    const buildpacks = this.builders.find((b) => b.name === 'buildpacks');
    if (named && buildpacks) return buildpacks;
    const builder = this.builders.find((b) => b.detect(ctx));
    if (!builder) throw new AppError('no_buildpack', `No builder detected this app: tried ${this.names.join(', ') || 'none'}`);
    return builder;
  }
}
