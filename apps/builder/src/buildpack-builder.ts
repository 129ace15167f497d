import { createReadStream } from 'node:fs';
import type Docker from 'dockerode';
import type { BuildResult, ProcessTypes } from '@paas/shared';
import { AppError } from '@paas/shared';
import type { Builder, BuildContext } from './builder.js';
import { buildpackOrder, noBuildpackMessage, type BuildpackInfo } from './buildpack-order.js';
import { parseReleaseYaml } from './buildpack-release.js';
import { parseProcfile } from './procfile.js';
import { runExec } from './docker-exec.js';
import { putArchive, readContainerFile, tarOfDirectory, tarOfFiles } from './docker-archive.js';
import { ensureCacheVolume, paasLabels, removeContainer, startBuildContainer } from './build-container.js';
import { commitSlugImage, imageSize } from './slug-image.js';
import { slugImageName } from './image-name.js';
import { formatSize } from './format-size.js';
import { configVarFiles } from './config-var-files.js';

export interface BuildpackBuilderOptions {
  docker: Docker;
  buildImage: string;
  runImage: string;
  cluster: string;
  memoryMb: number;
  /** Host directory holding the built-in buildpacks (one directory each, with bin/detect, compile, release). */
  buildpacksDir: string;
  /** Extra CA certificates (PEM) the build trusts, for networks that intercept TLS. */
  extraCaCerts?: Buffer;
}

const extraCaPath = '/etc/paas/extra-ca.pem';

/**
 * Heroku's classic buildpack API, run in a container of the build image: bin/detect of each
 * buildpack in order, then bin/compile /app /cache /env and bin/release /app of the first that
 * detects. The resulting /app becomes a slug on the slim run image.
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
    const order = buildpackOrder(job.buildpacks);
    const image = slugImageName(job.app, job.buildId);
    const labels = paasLabels(this.o.cluster, job.app, job.buildId);

    const cacheVolume = await ensureCacheVolume(docker, this.o.cluster, job.app);
    const container = await startBuildContainer(docker, {
      image: this.o.buildImage,
      cluster: this.o.cluster,
      app: job.app,
      buildId: job.buildId,
      memoryMb: this.o.memoryMb,
      cacheVolume,
      env: this.o.extraCaCerts ? [`NODE_EXTRA_CA_CERTS=${extraCaPath}`] : [],
    });
    // Removed at once on timeout (its running exec ends and the steps stop), or as soon as the slug
    // is copied out of it; always awaited before returning.
    let removing: Promise<void> | undefined;
    const remove = (): void => {
      removing ??= removeContainer(container).catch((err: unknown) => ctx.log.warn({ err }, 'could not remove the build container'));
    };
    signal.addEventListener('abort', remove, { once: true });
    if (signal.aborted) remove();
    try {
      await this.prepare(ctx, container);
      const buildpack = await this.detectBuildpack(ctx, container, order);
      await this.step(ctx, container, buildpack, 'compile', ['/app', '/cache', '/env']);
      const defaults = await this.release(ctx, container, buildpack);
      const processTypes = await this.processTypes(ctx, container, defaults);

      await output.heading('Compressing...');
      const ref = await commitSlugImage(docker, container, {
        runImage: this.o.runImage,
        repo: image.repo,
        tag: image.tag,
        labels,
        webCommand: processTypes['web'],
        onExported: remove,
      });
      const [size, buildSize] = await Promise.all([imageSize(docker, ref), imageSize(docker, this.o.buildImage)]);
      await output.info(`Done: ${formatSize(size)} (the build image is ${formatSize(buildSize)})`);
      return { image: ref, processTypes, buildpack: buildpack.name, imageSize: size, buildImageSize: buildSize };
    } finally {
      signal.removeEventListener('abort', remove);
      await (removing ?? removeContainer(container).catch((err: unknown) => ctx.log.warn({ err }, 'could not remove the build container')));
    }
  }

  /** Source into /app, buildpacks into /buildpacks, config vars into /env, all readable by the paas user. */
  private async prepare(ctx: BuildContext, container: Docker.Container): Promise<void> {
    const { job, output } = ctx;
    await putArchive(container, createReadStream(job.sourcePath), '/app');
    await putArchive(container, tarOfDirectory(this.o.buildpacksDir), '/buildpacks');
    const env = configVarFiles(job.env);
    for (const key of env.skipped) await output.warn(`Config var ${JSON.stringify(key)} is not a valid variable name: not given to the build`);
    await putArchive(container, tarOfFiles(env.files), '/env');
    if (this.o.extraCaCerts) await putArchive(container, tarOfFiles([{ name: extraCaPath.slice(1), content: this.o.extraCaCerts }]), '/');
    const chown = await runExec(container, { cmd: ['chown', '-R', 'paas:paas', '/app', '/env'], user: 'root' });
    if (chown.exitCode !== 0) throw new Error(`chown of /app and /env exited with ${chown.exitCode}`);
    this.checkTime(ctx);
  }

  private async detectBuildpack(ctx: BuildContext, container: Docker.Container, order: BuildpackInfo[]): Promise<BuildpackInfo> {
    for (const bp of order) {
      const res = await runExec(container, { cmd: [`/buildpacks/${bp.name}/bin/detect`, '/app'], user: 'paas', captureStdout: true });
      this.checkTime(ctx);
      if (res.exitCode === 0) {
        const appKind = res.stdout.trim().split('\n')[0] || bp.name;
        await ctx.output.heading(`${appKind} app detected`);
        return bp;
      }
    }
    throw new AppError('no_buildpack', noBuildpackMessage(order));
  }

  /** Runs one of a buildpack's scripts as the paas user, its output streamed to the user. */
  private async step(ctx: BuildContext, container: Docker.Container, bp: BuildpackInfo, script: string, args: string[]): Promise<void> {
    const stream = ctx.output.stream();
    const res = await runExec(container, {
      cmd: [`/buildpacks/${bp.name}/bin/${script}`, ...args],
      user: 'paas',
      workingDir: '/app',
      onOutput: (c) => stream.write(c),
    });
    await stream.end();
    this.checkTime(ctx);
    if (res.exitCode !== 0) {
      throw new AppError('build_failed', `${bp.name} bin/${script} failed (exit code ${res.exitCode}):\n${stream.tail().join('\n')}`, {
        details: { step: `${bp.name} bin/${script}`, exitCode: res.exitCode },
      });
    }
  }

  private async release(ctx: BuildContext, container: Docker.Container, bp: BuildpackInfo): Promise<ProcessTypes> {
    const stream = ctx.output.stream();
    const res = await runExec(container, {
      cmd: [`/buildpacks/${bp.name}/bin/release`, '/app'],
      user: 'paas',
      captureStdout: true,
      onOutput: (c) => stream.write(c),
    });
    await stream.end();
    this.checkTime(ctx);
    if (res.exitCode !== 0) {
      throw new AppError('build_failed', `${bp.name} bin/release failed (exit code ${res.exitCode}):\n${stream.tail().join('\n')}`);
    }
    return parseReleaseYaml(res.stdout, bp.name);
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

  private checkTime(ctx: BuildContext): void {
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new AppError('build_failed', 'Build timed out');
  }
}
