import { createReadStream } from 'node:fs';
import type Docker from 'dockerode';
import type { BuildResult, BuildSbom, ProcessTypes } from '@paas/shared';
import { AppError, defaultNetworkPool, type NetworkPool } from '@paas/shared';
import type { Builder, BuildContext, DetectContext } from './builder.js';
import { ensureBuildNetwork, ensureCacheVolume, paasLabels, removeContainer } from './build-container.js';
import type { CacheEpochs } from './cache-epochs.js';
import { putArchive, readContainerBytes, tarOfFiles } from './docker-archive.js';
import { buildArgs, imageCommand, imagePort, type ImageConfig } from './dockerfile-info.js';
import { formatSize } from './format-size.js';
import { slugImageName } from './image-name.js';
import { parseProcfile } from './procfile.js';
import { imageSize } from './slug-image.js';
import type { SbomMaker } from './inventory/sbom-maker.js';

export interface DockerfileBuilderOptions {
  docker: Docker;
  /** The build image, which carries the launcher (/opt/paas/bin/paas-launch). */
  buildImage: string;
  cluster: string;
  memoryMb: number;
  cpus: number;
  /** Where the build network's subnet comes from. */
  networkPool?: NetworkPool;
  /** The app's build cache generation: a purge makes the next build run without the engine's cache. */
  cacheEpochs: CacheEpochs;
  /** Makes each image's inventory (none: images have no SBOM). */
  sbom?: SbomMaker;
}

/** Where the launcher goes in Dockerfile-built images: a path no Dockerfile uses. */
export const launcherPath = '/.paas/launch';
const launcherInBuildImage = '/opt/paas/bin/paas-launch';

interface BuildMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

/**
 * Builds an app from the Dockerfile at its root, with the engine's (legacy) builder: the pushed tree
 * is the context, the app's config vars are build args when it asks (PAAS_DOCKERFILE_BUILD_ARGS), and
 * the build gets the same memory and CPU limits as buildpack builds. The image then gets the
 * launcher as its entrypoint (it may have no shell: FROM scratch), and its ENTRYPOINT/CMD becomes
 * the web process unless a Procfile says otherwise; EXPOSE (or ENV PORT) decides the port.
 */
export class DockerfileBuilder implements Builder {
  readonly name = 'dockerfile';
  private launcher: Promise<Buffer> | undefined;

  constructor(private readonly o: DockerfileBuilderOptions) {}

  detect(ctx: DetectContext): boolean {
    return ctx.source.has('Dockerfile');
  }

  async build(ctx: BuildContext): Promise<BuildResult> {
    const { job, output, signal } = ctx;
    const { docker } = this.o;
    const dockerfile = ctx.source.file('Dockerfile');
    if (!ctx.source.has('Dockerfile')) throw new AppError('build_failed', 'There is no Dockerfile at the root of the app (PAAS_BUILDER=dockerfile)');
    if (dockerfile === undefined) throw new AppError('build_failed', 'The Dockerfile at the root could not be read (is it a regular file under 256 KB?)');
    const image = slugImageName(job.app, job.buildId);
    const labels = paasLabels(this.o.cluster, job.app, job.buildId);
    // The engine's build cache is shared by every Dockerfile; `builds:cache:purge` makes this app's
    // next build use none of it. The app's cache volume (unused here) records the epoch built with.
    const cache = await ensureCacheVolume(docker, this.o.cluster, job.app, await this.o.cacheEpochs.current(job.app), job.stack);
    if (cache.purged === 'epoch') await output.heading('Build cache purged: this build starts with an empty cache');
    await output.heading('Building with the Dockerfile');
    const args = buildArgs(job.env, dockerfile);
    if (Object.keys(args).length > 0) await output.info(`Build args from config vars: ${Object.keys(args).join(', ')}`);

    const built = await this.dockerBuild(ctx, args, labels, cache.purged === 'epoch');
    await output.heading('Discovering process types');
    const inspected = await docker.getImage(built).inspect();
    const config = inspected.Config as ImageConfig;
    const procfile = ctx.source.file('Procfile');
    const declared = procfile === undefined ? {} : parseProcfile(procfile);
    if (procfile !== undefined) await output.info(`Procfile declares types -> ${Object.keys(declared).join(', ') || '(none)'}`);
    const processTypes = this.processTypes(declared, config);
    if (declared['web'] === undefined && processTypes['web'] !== undefined) await output.info(`Dockerfile ENTRYPOINT/CMD -> web: ${processTypes['web']}`);
    const port = imagePort(config);
    await output.info(port ? `Port ${port.port} (from ${port.from})` : 'Port: $PORT (the Dockerfile EXPOSEs none)');
    if (signal.aborted) throw signal.reason;

    // The engine merges an image's labels into its containers': the Dockerfile's own `paas.*`
    // labels (from LABEL or its base image) are blanked, so only the platform's reach its filters.
    const foreign = Object.keys(inspected.Config?.Labels ?? {}).filter((k) => k.startsWith('paas.') && !(k in labels));
    if (foreign.length > 0) await output.warn(`Ignoring the image's ${foreign.join(', ')}: paas.* labels are the platform's`);
    const imageLabels = { ...Object.fromEntries(foreign.map((k) => [k, ''])), ...labels };

    await output.heading('Adding the process launcher');
    const ref = await this.withLauncher(built, image, imageLabels, processTypes['web']);
    const size = await imageSize(docker, ref);
    await output.info(`Done: ${formatSize(size)}`);
    const sbom = await this.inventory(ctx, ref);
    return {
      ...(sbom ? { sbom } : {}),
      image: ref,
      processTypes,
      buildpack: 'dockerfile',
      imageSize: size,
      buildImageSize: 0,
      ...(port ? { port: port.port } : {}),
    };
  }

  /** The image's SBOM, read from the engine's export of its layers. */
  private async inventory(ctx: BuildContext, ref: string): Promise<BuildSbom | undefined> {
    if (!this.o.sbom) return undefined;
    const started = Date.now();
    try {
      const sbom = await this.o.sbom.finish(await this.o.sbom.ofImage(ref), ctx.job, ref, ctx.output);
      ctx.log.info({ ms: { inventory: Date.now() - started }, components: sbom.components }, 'image inventory made');
      return sbom;
    } catch (err) {
      ctx.log.warn({ err }, 'could not make the image\'s inventory');
      await ctx.output.warn(`Inventory skipped: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Runs the engine's build, streaming its output; returns the built image's id. */
  private async dockerBuild(ctx: BuildContext, args: Record<string, string>, labels: Record<string, string>, noCache: boolean): Promise<string> {
    const { docker } = this.o;
    // RUN and ADD <url> steps get the build network's egress rules, like buildpack builds.
    const network = await ensureBuildNetwork(docker, this.o.cluster, this.o.networkPool ?? defaultNetworkPool);
    const stream = ctx.output.stream();
    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let id: string | undefined;
    let error: string | undefined;
    try {
      const res = await docker.buildImage(createReadStream(ctx.job.sourcePath) as unknown as NodeJS.ReadableStream, {
        buildargs: args,
        labels,
        rm: true,
        forcerm: true,
        pull: false,
        nocache: noCache,
        version: '1',
        memory: this.o.memoryMb * 1024 * 1024,
        memswap: this.o.memoryMb * 1024 * 1024,
        cpuperiod: 100_000,
        cpuquota: Math.round(this.o.cpus * 100_000),
        networkmode: network,
        abortSignal: abort.signal,
      } as Docker.ImageBuildOptions & { abortSignal: AbortSignal });
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(
          res,
          (err) => (err ? reject(err) : resolve()),
          (m: BuildMessage) => {
            if (m.stream !== undefined) stream.write(m.stream.replace(/^(?=.)/gm, '       '));
            if (m.status !== undefined) stream.write(`       ${m.status}\n`);
            if (m.aux?.ID) id = m.aux.ID;
            if (m.error !== undefined) error = m.errorDetail?.message ?? m.error;
          },
        );
      });
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      error ??= (err as Error).message;
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      await stream.end();
    }
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (error !== undefined || id === undefined) {
      const tail = stream.tail().slice(-15).join('\n');
      throw new AppError('build_failed', `The Dockerfile build failed: ${error ?? 'the engine reported no image'}\n${tail}`, {
        details: { step: 'docker build' },
      });
    }
    return id;
  }

  /** The Procfile's types; `web` defaults to the image's own ENTRYPOINT/CMD. */
  private processTypes(declared: ProcessTypes, config: ImageConfig): ProcessTypes {
    const types = { ...declared };
    const command = imageCommand(config);
    if (types['web'] === undefined && command !== undefined) types['web'] = command;
    if (Object.keys(types).length === 0) {
      throw new AppError('build_failed', 'The image has no CMD or ENTRYPOINT and there is no Procfile: nothing to run');
    }
    return types;
  }

  /** The built image with the launcher as entrypoint and the web command as default command. */
  private async withLauncher(built: string, image: { repo: string; tag: string; ref: string }, labels: Record<string, string>, web: string | undefined): Promise<string> {
    const { docker } = this.o;
    const launcher = await this.launcherBinary();
    const container = await docker.createContainer({ Image: built, Entrypoint: [launcherPath], Cmd: web === undefined ? [] : [web], Labels: labels });
    try {
      await putArchive(container, tarOfFiles([{ name: launcherPath.slice(1), content: launcher, mode: 0o755 }]), '/');
      await container.commit({
        _query: { container: container.id, repo: image.repo, tag: image.tag, comment: 'paas: Dockerfile build with the launcher' },
        _body: { Entrypoint: [launcherPath], Cmd: web === undefined ? [] : [web], Labels: labels },
      });
    } finally {
      await removeContainer(container);
    }
    return image.ref;
  }

  /** The launcher binary, read once from the build image. */
  private launcherBinary(): Promise<Buffer> {
    this.launcher ??= (async () => {
      const container = await this.o.docker.createContainer({ Image: this.o.buildImage, Labels: { 'paas.cluster': this.o.cluster } });
      try {
        const content = await readContainerBytes(container, launcherInBuildImage);
        if (content === undefined) throw new Error(`${this.o.buildImage} has no ${launcherInBuildImage}: rebuild the base images (scripts/base-images.sh)`);
        return content;
      } finally {
        await removeContainer(container);
      }
    })();
    this.launcher.catch(() => (this.launcher = undefined));
    return this.launcher;
  }
}
