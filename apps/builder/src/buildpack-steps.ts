import type Docker from 'dockerode';
import type { ProcessTypes } from '@paas/shared';
import { AppError } from '@paas/shared';
import type { BuildContext } from './builder.js';
import type { BuildpackRef } from './buildpack-plan.js';
import { describeBuildpack } from './buildpack-plan.js';
import { parseReleaseYaml } from './buildpack-release.js';
import { runExec } from './docker-exec.js';

/** Exit code of the wrapper below when a buildpack has no such script. */
const missingScript = 200;

/**
 * Runs `/buildpacks/<name>/bin/<script>` as the unprivileged paas user. Before it, the `export` files
 * of the buildpacks that ran earlier are sourced (Heroku's multi-buildpack contract); a script that
 * does not exist exits with `missingScript`.
 */
function scriptCommand(bp: BuildpackRef, script: string, args: string[], earlier: readonly BuildpackRef[]): string[] {
  const wrapper = [
    'while [ "$1" != -- ]; do if [ -f "$1" ]; then . "$1"; fi; shift; done; shift',
    `if [ ! -e "$1" ]; then exit ${missingScript}; fi`,
    'exec "$@"',
  ].join('\n');
  return ['bash', '-c', wrapper, 'paas-step', ...earlier.map((e) => `/buildpacks/${e.name}/export`), '--', `/buildpacks/${bp.name}/bin/${script}`, ...args];
}

export interface StepResult {
  exitCode: number;
  stdout: string;
  /** The last lines of its output, for a failure message. */
  tail: string[];
}

/**
 * The classic buildpack API's three scripts, run in the build container: bin/detect BUILD_DIR,
 * bin/compile BUILD_DIR CACHE_DIR ENV_DIR and bin/release BUILD_DIR (BUILD_DIR is /app, CACHE_DIR
 * /cache, ENV_DIR /env, all owned by the paas user).
 */
export class BuildpackSteps {
  constructor(
    private readonly ctx: BuildContext,
    private readonly container: Docker.Container,
    /** The build container's memory limit, named when a step ran out of it. */
    private readonly memoryMb: number,
  ) {}

  /** Whether a buildpack accepts the app; its name for the app (bin/detect's stdout, first line) when it does. */
  async detect(bp: BuildpackRef): Promise<{ detected: boolean; appKind: string; missing: boolean; stderr: string }> {
    const stderr: Buffer[] = [];
    let kept = 0;
    const res = await this.run(bp, 'detect', ['/app'], [], {
      capture: true,
      stream: false,
      // why it did not detect the app, for a buildpack the app named (the first 4 KiB)
      onStderr: (c) => {
        if (kept < 4096) stderr.push(c.subarray(0, 4096 - kept));
        kept += c.length;
      },
    });
    const appKind = res.stdout.trim().split('\n')[0]?.trim() || bp.name;
    return { detected: res.exitCode === 0, appKind, missing: res.exitCode === missingScript, stderr: Buffer.concat(stderr).toString('utf8') };
  }

  /** bin/compile, its output streamed to the user; a failure names the step and shows its last lines. */
  async compile(bp: BuildpackRef, earlier: readonly BuildpackRef[]): Promise<void> {
    const res = await this.run(bp, 'compile', ['/app', '/cache', '/env'], earlier, { capture: false, stream: true });
    if (res.exitCode === 0) return;
    const step = `${bp.name} bin/compile`;
    const oom = res.exitCode !== missingScript && (await this.outOfMemory());
    const reason =
      res.exitCode === missingScript
        ? `${describeBuildpack(bp)} has no bin/compile: it is not a buildpack`
        : oom
          ? `${step} failed (exit code ${res.exitCode}): the build ran out of memory (its limit is ${this.memoryMb} MB, PAAS_BUILD_MEMORY_MB)`
          : `${step} failed (exit code ${res.exitCode})`;
    throw new AppError('build_failed', `${reason}:\n${res.tail.join('\n')}`, { details: { step, exitCode: res.exitCode, outOfMemory: oom } });
  }

  /** bin/release's default process types; a buildpack without bin/release declares none. */
  async release(bp: BuildpackRef, earlier: readonly BuildpackRef[]): Promise<ProcessTypes> {
    const res = await this.run(bp, 'release', ['/app'], earlier, { capture: true, stream: true });
    if (res.exitCode === missingScript) return {};
    if (res.exitCode !== 0) {
      throw new AppError('build_failed', `${bp.name} bin/release failed (exit code ${res.exitCode}):\n${res.tail.join('\n')}`, {
        details: { step: `${bp.name} bin/release`, exitCode: res.exitCode },
      });
    }
    return parseReleaseYaml(res.stdout, bp.name);
  }

  private async run(
    bp: BuildpackRef,
    script: string,
    args: string[],
    earlier: readonly BuildpackRef[],
    o: { capture: boolean; stream: boolean; onStderr?: (chunk: Buffer) => void },
  ): Promise<StepResult> {
    const stream = this.ctx.output.stream();
    const res = await runExec(this.container, {
      cmd: scriptCommand(bp, script, args, earlier),
      user: 'paas',
      workingDir: '/app',
      captureStdout: o.capture,
      // bin/detect prints a name, bin/release a little YAML: a buildpack printing more is cut.
      maxCaptureBytes: 1024 * 1024,
      onOutput: o.stream ? (c) => stream.write(c) : o.onStderr,
    });
    await stream.end();
    this.checkTime();
    return { exitCode: res.exitCode, stdout: res.stdout, tail: stream.tail() };
  }

  /** Whether the kernel killed a process of the build container for memory (cgroup v2 or v1 counters). */
  private async outOfMemory(): Promise<boolean> {
    const script = 'cat /sys/fs/cgroup/memory.events /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null | awk \'$1 == "oom_kill" { n += $2 } END { print n + 0 }\'';
    const res = await runExec(this.container, { cmd: ['bash', '-c', script], user: 'root', captureStdout: true }).catch(() => undefined);
    return res !== undefined && Number(res.stdout.trim()) > 0;
  }

  checkTime(): void {
    const { signal } = this.ctx;
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new AppError('build_failed', 'Build stopped');
  }
}
