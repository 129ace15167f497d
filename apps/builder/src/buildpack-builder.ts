import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { BuildResult, BuildSbom, ProcessTypes } from '@paas/shared';
import { AppError, defaultNetworkPool, isAppError, stackImage, type NetworkPool } from '@paas/shared';
import type { Builder, BuildContext } from './builder.js';
import { describeBuildpack, noBuildpackMessage, planBuildpacks, type BuildpackPlan, type BuildpackRef } from './buildpack-plan.js';
import type { BuildpackFetcher, FetchedBuildpack } from './buildpack-fetcher.js';
import { BuildpackSteps } from './buildpack-steps.js';
import type { CacheEpochs } from './cache-epochs.js';
import { parseProcfile } from './procfile.js';
import { putArchive, readContainerFile, tarOfDirectory } from './docker-archive.js';
import { mergeTars, type TarEntry, type TarPart } from './tar-merge.js';
import type { BuildTrust } from './build-trust.js';
import { ensureBuildNetwork, ensureCacheVolume, paasLabels, removeContainer, startBuildContainer } from './build-container.js';
import { commitSlugImage, imageSize, type SlugLayer } from './slug-image.js';
import { slugImageName } from './image-name.js';
import { formatSize } from './format-size.js';
import { configVarFiles } from './config-var-files.js';
import type { SbomMaker } from './inventory/sbom-maker.js';
import { scanBuildContainer } from './inventory/build-container-scan.js';
import type { LayerFindings } from './inventory/layer-scan.js';

export interface BuildpackBuilderOptions {
  docker: Docker;
  /** The build image; `{stack}` in it stands for the job's stack (stackImage of @paas/shared). */
  buildImage: string;
  /** The run image slugs go onto; `{stack}` as in buildImage. */
  runImage: string;
  cluster: string;
  memoryMb: number;
  cpus: number;
  /** PID limit of the build container (4096 unless given). */
  pidsLimit?: number;
  /** Where the build network's subnet comes from. */
  networkPool?: NetworkPool;
  /** Host directory holding the built-in buildpacks (one directory each, with bin/detect, compile, release). */
  buildpacksDir: string;
  /** Fetches buildpacks given by git URL. */
  fetcher: BuildpackFetcher;
  /** Each app's build cache generation (a purge starts a new one). */
  cacheEpochs: CacheEpochs;
  /** What the build trusts besides the image's CAs (networks that intercept TLS). */
  trust: BuildTrust;
  /** This builder process, as labelled on its build containers (leftover-builds.ts). */
  builderId?: string;
  /** Makes each slug's inventory (none: slugs have no SBOM). */
  sbom?: SbomMaker;
}

/** The build image's unprivileged user, who owns /app, /cache, /env and /buildpacks. */
const paasUid = 1000;

const planSources: Record<BuildpackPlan['source'], string> = {
  app: "the app's settings",
  BUILDPACK_URL: 'BUILDPACK_URL',
  '.buildpacks': '.buildpacks',
  'app.json': 'app.json',
  detect: 'detection',
};

/**
 * Heroku's classic buildpack API, run in a container of the build image: with no buildpacks named,
 * bin/detect of each built-in in order and the first that passes builds the app; with buildpacks
 * named (the app's setting, BUILDPACK_URL, a .buildpacks file), each one runs in order. Then bin/compile
 * /app /cache /env, and bin/release /app of the last. The resulting /app becomes a slug on the slim
 * run image.
 */
export class BuildpackBuilder implements Builder {
  readonly name = 'buildpacks';

  constructor(private readonly o: BuildpackBuilderOptions) {}

  /** The fallback builder: which buildpack applies is for the buildpacks' own bin/detect to say. */
  detect(): boolean {
    return true;
  }

  async build(ctx: BuildContext): Promise<BuildResult> {
    const { job, output, signal } = ctx;
    const { docker } = this.o;
    // How long each phase took, for the operator log.
    const ms: Record<string, number> = {};
    let mark = Date.now();
    const lap = (phase: string): void => {
      const now = Date.now();
      ms[phase] = now - mark;
      mark = now;
    };
    const plan = this.plan(ctx);
    const stack = job.stack ?? 'bookworm';
    const buildImage = stackImage(this.o.buildImage, stack);
    const runImage = stackImage(this.o.runImage, stack);
    const image = slugImageName(job.app, job.buildId);
    const labels = paasLabels(this.o.cluster, job.app, job.buildId);
    await this.announce(ctx, plan);
    // Buildpacks given by git URL are fetched while the build container starts.
    const fetching = this.fetchBuildpacks(ctx, plan);
    fetching.catch(() => undefined);

    await output.heading(`Stack: ${stack}`);
    const cache = await ensureCacheVolume(docker, this.o.cluster, job.app, await this.o.cacheEpochs.current(job.app), stack);
    if (cache.purged === 'epoch') await output.heading('Build cache purged: this build starts with an empty cache');
    if (cache.purged === 'stack') await output.heading(`The build cache is of stack ${cache.previousStack}: this build on ${stack} starts with an empty cache`);
    const container = await startBuildContainer(docker, {
      image: buildImage,
      cluster: this.o.cluster,
      app: job.app,
      buildId: job.buildId,
      memoryMb: this.o.memoryMb,
      cpus: this.o.cpus,
      pidsLimit: this.o.pidsLimit ?? 4096,
      network: await ensureBuildNetwork(docker, this.o.cluster, this.o.networkPool ?? defaultNetworkPool),
      cacheVolume: cache.name,
      // Heroku's buildpacks read the stack from STACK (paas's images set it too)
      env: [...this.o.trust.env, `STACK=${stack}`],
      ...(this.o.builderId ? { builder: this.o.builderId } : {}),
    });
    // Removed at once on timeout or cancellation (its running exec ends and the steps stop), or as
    // soon as the slug is copied out of it; the job ends once it is gone.
    let removing: Promise<void> | undefined;
    const remove = (): void => {
      removing ??= removeContainer(container).catch((err: unknown) => ctx.log.warn({ err }, 'could not remove the build container'));
    };
    signal.addEventListener('abort', remove, { once: true });
    if (signal.aborted) remove();
    lap('start');
    try {
      const steps = new BuildpackSteps(ctx, container, this.o.memoryMb);
      await this.prepare(ctx, container, plan, await fetching, buildImage);
      steps.checkTime();
      lap('prepare');
      const buildpacks = await this.detectBuildpacks(ctx, steps, plan);
      lap('detect');
      for (const [i, bp] of buildpacks.entries()) await steps.compile(bp, buildpacks.slice(0, i));
      lap('compile');
      const last = buildpacks.at(-1)!;
      const defaults = await steps.release(last, buildpacks.slice(0, -1));
      const processTypes = await this.processTypes(ctx, container, defaults);
      lap('release');
      const appFindings = await this.scanApp(ctx, container);
      lap('inventoryScan');

      await output.heading('Compressing...');
      const slug = await commitSlugImage(docker, container, {
        runImage,
        cluster: this.o.cluster,
        app: job.app,
        repo: image.repo,
        tag: image.tag,
        labels,
        webCommand: processTypes['web'],
        onLayer: (l) => output.info(`Layer /app/${l.path}: ${formatSize(l.bytes)} (${l.reused ? 'unchanged, reused' : 'new'})`),
        onExported: remove,
      });
      const [size, buildSize] = await Promise.all([imageSize(docker, slug.ref), imageSize(docker, buildImage)]);
      await output.info(`Done: ${formatSize(size)} (the build image is ${formatSize(buildSize)})`);
      lap('slug');
      const sbom = appFindings && (await this.inventory(ctx, slug, appFindings, runImage));
      lap('inventory');
      ctx.log.info({ ms, layers: slug.layers.map((l) => ({ path: l.path, bytes: l.bytes, reused: l.reused })) }, 'slug made');
      return {
        image: slug.ref,
        processTypes,
        buildpack: buildpacks.map((b) => (b.kind === 'builtin' ? b.name : describeBuildpack(b))).join(', '),
        imageSize: size,
        buildImageSize: buildSize,
        ...(sbom ? { sbom } : {}),
      };
    } finally {
      signal.removeEventListener('abort', remove);
      remove();
      ctx.cleanup(removing!);
    }
  }

  /** The packages under /app, read before the slug is made (undefined when there is no inventory). */
  private async scanApp(ctx: BuildContext, container: Docker.Container): Promise<LayerFindings | undefined> {
    if (!this.o.sbom) return undefined;
    try {
      return await scanBuildContainer(container);
    } catch (err) {
      ctx.log.warn({ err }, 'could not read the slug\'s packages');
      await ctx.output.warn(`Inventory skipped: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** The slug's SBOM: the run image's packages and /app's, each with the layer it is in. */
  private async inventory(ctx: BuildContext, slug: { ref: string; layers: SlugLayer[] }, app: LayerFindings, runImage: string): Promise<BuildSbom | undefined> {
    const { docker } = this.o;
    const topLayer = async (image: string): Promise<string> => (await docker.getImage(image).inspect()).RootFS.Layers?.at(-1) ?? image;
    try {
      const layers = await Promise.all(slug.layers.map(async (l) => ({ path: l.path, diffId: await topLayer(l.image) })));
      const inv = await this.o.sbom!.ofSlug({ runImage, app, layers, topLayer: await topLayer(slug.ref) });
      return await this.o.sbom!.finish(inv, ctx.job, slug.ref, ctx.output);
    } catch (err) {
      ctx.log.warn({ err }, 'could not make the slug\'s inventory');
      await ctx.output.warn(`Inventory skipped: ${(err as Error).message}`);
      return undefined;
    }
  }

  private plan(ctx: BuildContext): BuildpackPlan {
    try {
      return planBuildpacks({ appBuildpacks: ctx.job.buildpacks, env: ctx.job.env, dotBuildpacks: ctx.source.file('.buildpacks'), appJson: ctx.source.file('app.json') });
    } catch (err) {
      if (isAppError(err)) throw new AppError('build_failed', err.message);
      throw err;
    }
  }

  /** Config vars that cannot be given, and the buildpacks the app named. */
  private async announce(ctx: BuildContext, plan: BuildpackPlan): Promise<void> {
    const { output } = ctx;
    for (const key of configVarFiles(ctx.job.env).skipped) {
      await output.warn(`Config var ${JSON.stringify(key)} is not a valid variable name: not given to the build`);
    }
    if (plan.source === 'detect') return;
    await output.heading(`Using buildpacks (from ${planSources[plan.source]}):`);
    for (const [i, bp] of plan.buildpacks.entries()) await output.info(`${i + 1}. ${describeBuildpack(bp)}`);
  }

  /** The buildpacks given by git URL, fetched (or refreshed) into the builder's cache. */
  private async fetchBuildpacks(ctx: BuildContext, plan: BuildpackPlan): Promise<Map<string, FetchedBuildpack>> {
    const fetched = new Map<string, FetchedBuildpack>();
    for (const bp of plan.buildpacks) {
      if (bp.kind !== 'git') continue;
      const f = await this.o.fetcher.fetch(bp);
      await ctx.output.heading(`Fetched buildpack ${describeBuildpack(bp)} at ${f.commit.slice(0, f.commit.startsWith('sha256:') ? 19 : 12)}`);
      if (f.stale) await ctx.output.warn(`Could not reach ${bp.url}: using the copy fetched earlier`);
      fetched.set(bp.name, f);
    }
    return fetched;
  }

  /**
   * Source into /app, config vars into /env, the buildpacks into /buildpacks, all owned by the paas
   * user, and the extra CA: in one copy into the container.
   */
  private async prepare(ctx: BuildContext, container: Docker.Container, plan: BuildpackPlan, fetched: Map<string, FetchedBuildpack>, buildImage: string): Promise<void> {
    const { job } = ctx;
    const env = configVarFiles(job.env);
    const parts: TarPart[] = [{ tar: createReadStream(job.sourcePath), prefix: 'app', uid: paasUid, gid: paasUid }];
    for (const bp of plan.buildpacks) {
      const prefix = `buildpacks/${bp.name}`;
      const tar = bp.kind === 'builtin' ? tarOfDirectory(join(this.o.buildpacksDir, bp.name)) : fetched.get(bp.name)!.archive();
      parts.push({ tar, prefix: bp.kind === 'builtin' ? prefix : 'buildpacks', uid: paasUid, gid: paasUid });
    }
    const owned = { uid: paasUid, gid: paasUid };
    const dirs: TarEntry[] = [
      { name: 'app', mode: 0o755, ...owned },
      { name: 'buildpacks', mode: 0o755, ...owned },
      { name: 'env', mode: 0o700, ...owned },
    ];
    const files: TarEntry[] = [
      ...env.files.map((f) => ({ name: `env/${f.name}`, content: f.content, mode: 0o600, ...owned })),
      ...(await this.o.trust.files(buildImage)),
    ];
    await putArchive(container, mergeTars(dirs, parts, files), '/');
  }

  /** The buildpacks that build the app: the first built-in that detects it, or every named one (each must detect it). */
  private async detectBuildpacks(ctx: BuildContext, steps: BuildpackSteps, plan: BuildpackPlan): Promise<BuildpackRef[]> {
    if (plan.source === 'detect') {
      for (const bp of plan.buildpacks) {
        const res = await steps.detect(bp);
        if (res.detected) {
          await ctx.output.heading(`${res.appKind} app detected`);
          return [bp];
        }
      }
      throw new AppError('no_buildpack', noBuildpackMessage(plan.buildpacks));
    }
    for (const bp of plan.buildpacks) {
      const res = await steps.detect(bp);
      if (!res.detected) {
        const why = res.missing ? 'it has no bin/detect (is it a buildpack?)' : 'its bin/detect did not accept the app';
        const told = res.stderr.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
        throw new AppError('no_buildpack', `App not compatible with buildpack ${describeBuildpack(bp)}: ${why}${told ? `\n${told}` : ''}`);
      }
      await ctx.output.heading(`${res.appKind} app detected`);
    }
    return plan.buildpacks;
  }

  /** The app's Procfile overrides the buildpack's defaults; some process type must exist. */
  private async processTypes(ctx: BuildContext, container: Docker.Container, defaults: ProcessTypes): Promise<ProcessTypes> {
    const { output } = ctx;
    await output.heading('Discovering process types');
    const procfile = await readContainerFile(container, '/app/Procfile');
    const declared = procfile === undefined ? {} : parseProcfile(procfile);
    const types = { ...defaults, ...declared };
    if (procfile !== undefined) await output.info(`Procfile declares types -> ${Object.keys(declared).join(', ') || '(none)'}`);
    const fromDefaults = Object.keys(defaults).filter((t) => !(t in declared));
    if (fromDefaults.length > 0) await output.info(`Default types for buildpack -> ${fromDefaults.join(', ')}`);
    if (Object.keys(types).length === 0) {
      throw new AppError(
        'build_failed',
        'No process types: add a Procfile declaring a web process (e.g. "web: node index.js"), or a start script in package.json',
      );
    }
    if (types['web'] === undefined) await output.warn('No web process type: the app will get no HTTP traffic');
    return types;
  }
}
