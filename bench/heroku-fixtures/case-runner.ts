import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { putArchive, readContainerFile, tarOfDirectory } from '../../apps/builder/src/docker-archive.js';
import { mergeTars, type TarEntry } from '../../apps/builder/src/tar-merge.js';
import { parseReleaseYaml } from '../../apps/builder/src/buildpack-release.js';
import { parseProcfile } from '../../apps/builder/src/procfile.js';
import { removeContainer } from '../../apps/builder/src/build-container.js';
import { helpers, type Captured } from './assertions.js';
import { containerPaths, type FixtureCase, type Step } from './cases.js';
import { execSeparate } from './container-exec.js';
import { assertScript, buildWrapper, parseAssertOutput, shellScript, type EvalItem } from './eval-script.js';

export interface RunnerOptions {
  docker: Docker;
  /** The build image (paas/build:bookworm). */
  image: string;
  /** Heroku's repository: test/fixtures/<name> are the apps. */
  checkout: string;
  /** The buildpack under test (this checkout's buildpacks/nodejs). */
  buildpackDir: string;
  memoryMb: number;
  cpus: number;
  /** Deadline of each build script. */
  timeoutMs: number;
  /** Variables of the build container, as the builder gives (NODE_EXTRA_CA_CERTS). */
  env: string[];
  /** Files the builder adds to a build container (an extra CA). */
  extraFiles: TarEntry[];
  /** Labels every container and volume, so a run's leftovers can be found. */
  runId: string;
}

export interface BuildRecord {
  line: number;
  text: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** What the builder did besides the script's own exit: bin/detect refused, no process types, … */
  notes: string[];
  ms: number;
}

export interface CaseResult {
  file: string;
  name: string;
  status: 'pass' | 'fail' | 'skip';
  /** A skipped case: why. */
  reason?: string;
  /** A failed case: the first assertion that failed (or the runner's error). */
  failure?: { line: number; text: string; message: string };
  /** Assertions left unchecked (metrics), by line. */
  unchecked: { line: number; helper: string }[];
  builds: BuildRecord[];
  ms: number;
}

const paasUid = 1000;
type BuildStep = Extract<Step, { kind: 'build' }>;

interface Live {
  container: Docker.Container;
  step: BuildStep;
  paths: Record<string, string>;
  /** Its build has run. */
  built: boolean;
}

/** Runs one case: each build the way the builder runs one, each assertion on what it left. */
export async function runCase(c: FixtureCase, o: RunnerOptions, caseNumber: number): Promise<CaseResult> {
  const started = Date.now();
  const result: CaseResult = { file: c.file, name: c.name, status: 'pass', unchecked: [], builds: [], ms: 0 };
  if (c.skip !== undefined) return { ...result, status: 'skip', reason: c.skip };
  const run = new CaseRun(c, o, `heroku-fixture-${o.runId}-${caseNumber}`);
  try {
    result.failure = await run.steps(result);
  } catch (err) {
    result.failure = { line: c.line, text: c.name, message: `runner error: ${(err as Error).message}` };
  } finally {
    await run.cleanup();
  }
  result.status = result.failure ? 'fail' : 'pass';
  result.ms = Date.now() - started;
  return result;
}

class CaseRun {
  private live: Live | undefined;
  private volumes = new Set<string>();
  private fresh = 0;
  private prelude: string[] = [];
  private captured: Captured | undefined;

  constructor(
    private readonly c: FixtureCase,
    private readonly o: RunnerOptions,
    private readonly prefix: string,
  ) {}

  /** Runs the steps in order; the first failed assertion ends the case. */
  async steps(result: CaseResult): Promise<CaseResult['failure']> {
    const steps = this.c.steps;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      if (s.kind === 'state') this.prelude.push(s.text);
      else if (s.kind === 'unchecked') result.unchecked.push({ line: s.line, helper: s.helper });
      else if (s.kind === 'shell') {
        const live = await this.containerBefore(i);
        const res = await execSeparate(live.container, {
          cmd: ['bash', '-c', shellScript(live.paths, this.prelude, s.text, this.captured?.exitCode)],
          user: 'paas',
          workingDir: '/app',
          timeoutMs: 60_000,
        });
        if (res.exitCode !== 0) return { line: s.line, text: s.text.trim(), message: `runner: the command failed (exit ${res.exitCode}): ${res.stderr.toString().trim()}` };
      } else if (s.kind === 'build') {
        const record = await this.build(s);
        result.builds.push(record);
        this.captured = record;
      } else {
        // a run of assertions (and the state between them), evaluated in one go
        let j = i;
        const items: EvalItem[] = [];
        while (j < steps.length && ['assert', 'state', 'unchecked'].includes(steps[j]!.kind)) {
          const t = steps[j]!;
          if (t.kind === 'assert') items.push({ kind: 'assert', index: j, words: t.words, file: helpers[t.helper]!.file });
          else if (t.kind === 'state') items.push({ kind: 'state', text: t.text });
          else if (t.kind === 'unchecked') result.unchecked.push({ line: t.line, helper: t.helper });
          j++;
        }
        const failure = await this.assertions(items);
        for (const it of items) if (it.kind === 'state') this.prelude.push(it.text);
        if (failure) return failure;
        i = j - 1;
      }
    }
    return undefined;
  }

  private async assertions(items: EvalItem[]): Promise<CaseResult['failure']> {
    const live = this.live;
    const captured = this.captured;
    const asserts = items.filter((it): it is Extract<EvalItem, { kind: 'assert' }> => it.kind === 'assert');
    const first = this.c.steps[asserts[0]!.index]!;
    if (!live || !captured) return { line: first.line, text: first.text.trim(), message: 'runner: an assertion before any build' };
    const res = await execSeparate(live.container, {
      cmd: ['bash', '-c', assertScript(live.paths, this.prelude, items, captured.exitCode)],
      user: 'paas',
      workingDir: '/app',
      timeoutMs: 120_000,
    });
    const evaluated = parseAssertOutput(res.stdout.toString('utf8'), new Set(asserts.filter((a) => a.file !== undefined).map((a) => a.index)));
    for (const a of asserts) {
      const step = this.c.steps[a.index] as Extract<Step, { kind: 'assert' }>;
      const ev = evaluated.get(a.index);
      const where = { line: step.line, text: step.text.trim() };
      if (!ev) return { ...where, message: `runner: bash could not evaluate the assertion's words: ${res.stderr.toString().trim().slice(0, 500)}` };
      const message = helpers[step.helper]!.check(ev.words, captured, ev.probe);
      if (message !== undefined) return { ...where, message };
    }
    return undefined;
  }

  /** The container a command at step `i` runs in: the next build's (made now if need be), else the last one. */
  private async containerBefore(i: number): Promise<Live> {
    if (this.live && !this.live.built) return this.live;
    const next = this.c.steps.slice(i + 1).find((s): s is BuildStep => s.kind === 'build');
    if (next) return this.startFor(next);
    if (this.live) return this.live;
    throw new Error('a command with no build to run it in');
  }

  private async build(step: BuildStep): Promise<BuildRecord> {
    const live = this.live && !this.live.built && this.live.step === step ? this.live : await this.startFor(step);
    live.built = true;
    const started = Date.now();
    const record: BuildRecord = { line: step.line, text: step.text.trim(), exitCode: 0, stdout: '', stderr: '', notes: [], ms: 0 };
    const script = async (name: string, args: string[]) => {
      const res = await execSeparate(live.container, {
        cmd: ['bash', '-c', buildWrapper(live.paths, this.prelude), 'paas-step', `/buildpacks/nodejs/bin/${name}`, ...args],
        user: 'paas',
        workingDir: '/app',
        timeoutMs: this.o.timeoutMs,
      });
      if (res.timedOut) record.notes.push(`bin/${name} passed its deadline (${this.o.timeoutMs / 1000} s)`);
      return { exitCode: res.exitCode, stdout: res.stdout.toString('utf8'), stderr: res.stderr.toString('utf8') };
    };
    if (step.build !== 'compile') {
      Object.assign(record, await script(step.build, ['/app']));
    } else {
      // as apps/builder runs a buildpack: bin/detect, bin/compile, then bin/release and the process types
      const detect = await script('detect', ['/app']);
      if (detect.exitCode !== 0) {
        record.exitCode = detect.exitCode;
        record.stderr = detect.stderr;
        record.notes.push(`bin/detect refused the app (exit ${detect.exitCode}): the builder stops there`);
      } else {
        const compile = await script('compile', ['/app', '/cache', '/env']);
        Object.assign(record, compile);
        if (compile.exitCode === 0) await this.release(live, record, await script('release', ['/app']));
      }
    }
    record.ms = Date.now() - started;
    return record;
  }

  /** What the builder makes of bin/release: its failure, or no process type at all, refuses the build. */
  private async release(live: Live, record: BuildRecord, rel: { exitCode: number; stdout: string; stderr: string }): Promise<void> {
    const refuse = (why: string): void => {
      record.exitCode = 1;
      record.stderr += `${rel.stderr}paas builder: ${why}\n`;
      record.notes.push(why);
    };
    if (rel.exitCode !== 0) return refuse(`bin/release failed (exit ${rel.exitCode})`);
    try {
      const defaults = parseReleaseYaml(rel.stdout, 'nodejs');
      const procfile = await readContainerFile(live.container, '/app/Procfile');
      const declared = procfile === undefined ? {} : parseProcfile(procfile);
      if (Object.keys({ ...defaults, ...declared }).length === 0) refuse('No process types (bin/release declares none and there is no Procfile)');
    } catch (err) {
      refuse((err as Error).message);
    }
  }

  /** A build container for `step`, as the builder makes one, with the case's directories mounted. */
  private async startFor(step: BuildStep): Promise<Live> {
    await this.removeLive();
    const paths = containerPaths(this.c, step);
    const mounts: Docker.MountSettings[] = [];
    for (const [name, path] of Object.entries(paths)) {
      if (path === '/app') continue;
      mounts.push({ Type: 'volume', Source: await this.volume(name), Target: path });
    }
    if (!step.cache || 'fresh' in step.cache) mounts.push({ Type: 'volume', Source: await this.volume(`fresh-${++this.fresh}`), Target: '/cache' });
    if (step.env && 'fresh' in step.env) mounts.push({ Type: 'volume', Source: await this.volume(`fresh-${++this.fresh}`), Target: '/env' });
    const container = await this.o.docker.createContainer({
      Image: this.o.image,
      Cmd: ['sleep', 'infinity'],
      WorkingDir: '/app',
      Env: this.o.env,
      Labels: { 'paas.role': 'heroku-fixture', 'paas.fixture-run': this.o.runId },
      HostConfig: {
        Memory: this.o.memoryMb * 1024 * 1024,
        MemorySwap: this.o.memoryMb * 1024 * 1024,
        NanoCpus: Math.round(this.o.cpus * 1e9),
        PidsLimit: 4096,
        Mounts: mounts,
      },
    });
    const live: Live = { container, step, paths, built: false };
    this.live = live;
    await container.start();
    // mount points of volumes outside the image's own /cache and /env are root's: give them to paas
    const chown = await execSeparate(container, { cmd: ['chown', `${paasUid}:${paasUid}`, ...mounts.map((m) => m.Target)], user: 'root', timeoutMs: 30_000 });
    if (chown.exitCode !== 0) throw new Error(`chown of the mounts failed: ${chown.stderr.toString()}`);
    const fixture = join(this.o.checkout, 'test', 'fixtures', step.fixture);
    if (!existsSync(fixture)) throw new Error(`no fixture ${step.fixture} in ${this.o.checkout}/test/fixtures`);
    const owned = { uid: paasUid, gid: paasUid };
    const dirs: TarEntry[] = [
      { name: 'app', mode: 0o755, ...owned },
      { name: 'buildpacks', mode: 0o755, ...owned },
    ];
    const parts = [
      { tar: tarOfDirectory(fixture), prefix: 'app', ...owned },
      { tar: tarOfDirectory(this.o.buildpackDir), prefix: 'buildpacks/nodejs', ...owned },
    ];
    await putArchive(container, mergeTars(dirs, parts, this.o.extraFiles), '/');
    return live;
  }

  private async volume(name: string): Promise<string> {
    const full = `${this.prefix}-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
    if (!this.volumes.has(full)) {
      await this.o.docker.createVolume({ Name: full, Labels: { 'paas.role': 'heroku-fixture', 'paas.fixture-run': this.o.runId } });
      this.volumes.add(full);
    }
    return full;
  }

  private async removeLive(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (live) await removeContainer(live.container);
  }

  async cleanup(): Promise<void> {
    await this.removeLive().catch(() => undefined);
    for (const v of this.volumes) await this.o.docker.getVolume(v).remove().catch(() => undefined);
  }
}
