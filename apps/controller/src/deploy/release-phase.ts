import { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import { AppError, type Logger } from '@paas/shared';
import type { AppRow } from '../db/apps.js';
import type { ReleaseRow } from '../db/releases.js';
import { appendPhaseOutput } from '../db/phase-output.js';
import { LineSplitter } from '../logs/line-splitter.js';
import type { OneOffService } from './one-off-service.js';
import { lifecycleScripts } from './app-json.js';

export interface ReleasePhaseOptions {
  pool: pg.Pool;
  /** Runs the scripts as one-offs of the release they belong to. */
  oneOffs: Pick<OneOffService, 'runAttached'>;
  /** How long one script may run (PAAS_RELEASE_PHASE_TIMEOUT). */
  timeoutMs: number;
  log: Logger;
  /** What else follows the app's first deploy (app.json's formation: app-json-setup.ts). */
  onFirstDeploy?: (app: AppRow, release: ReleaseRow, say: (line: string) => void) => Promise<void>;
}

/** The process type of the release phase in a Procfile: never scaled, run once per release. */
export const releaseProcessType = 'release';

/** The release phase's command: the Procfile's `release:`, else app.json's `scripts.dokku.predeploy`. */
export function releaseCommand(release: Pick<ReleaseRow, 'process_types' | 'app_json'>): string | undefined {
  return release.process_types[releaseProcessType] ?? lifecycleScripts(release.app_json).predeploy;
}

/**
 * Heroku's release phase and Dokku's deploy scripts. `before` runs the release phase as a one-off of
 * the new release (its image and config) before any of its processes start: a non-zero exit (or no
 * exit within the timeout) refuses the release. `after` runs the postdeploy scripts once the release
 * serves: Heroku's `scripts.postdeploy` after the app's first deploy only, Dokku's
 * `scripts.dokku.postdeploy` after each. Their output streams to `say` and is kept with the release
 * (`paas releases:output vN`).
 */
export class ReleasePhase {
  constructor(private readonly o: ReleasePhaseOptions) {}

  async before(app: AppRow, release: ReleaseRow, say: (line: string) => void): Promise<void> {
    const command = releaseCommand(release);
    if (!command) return;
    const code = await this.script(app, release, 'Release phase', command, say);
    if (code !== 0) {
      throw new AppError(
        'release_failed',
        `the release phase (${command}) ${code === null ? `did not finish within ${Math.round(this.o.timeoutMs / 1000)} s (PAAS_RELEASE_PHASE_TIMEOUT)` : `exited with status ${code}`}: v${release.version} was not deployed and the previous release keeps serving (its output: paas releases:output v${release.version})`,
      );
    }
  }

  /** Runs the postdeploy scripts; a failing one is reported, the release (already serving) stays. */
  async after(app: AppRow, release: ReleaseRow, firstDeploy: boolean, say: (line: string) => void): Promise<void> {
    if (firstDeploy) await this.o.onFirstDeploy?.(app, release, say);
    const scripts = lifecycleScripts(release.app_json);
    const run: Array<[string, string]> = [];
    if (firstDeploy && scripts.postdeploy) run.push(['Postdeploy (first deploy)', scripts.postdeploy]);
    if (scripts.dokkuPostdeploy) run.push(['Postdeploy', scripts.dokkuPostdeploy]);
    for (const [title, command] of run) {
      const code = await this.script(app, release, title, command, say);
      if (code !== 0) say(`${title} (${command}) ${code === null ? 'timed out' : `exited with status ${code}`}; v${release.version} serves`);
    }
  }

  /** Runs one script attached; answers its exit code (null: killed at the timeout). */
  private async script(app: AppRow, release: ReleaseRow, title: string, command: string, say: (line: string) => void): Promise<number | null> {
    const log = this.o.log.child({ app: app.name, release: release.version });
    const kept: string[] = [];
    const line = (text: string): void => {
      kept.push(text);
      say(text);
    };
    line(`-----> ${title}: running ${command}`);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.o.timeoutMs);
    const out = new LineSink(line);
    let code: number | null;
    try {
      const attached = await this.o.oneOffs.runAttached(
        app,
        { command, tty: false },
        { stdin: Readable.from([]), stdout: out, stderr: out, signal: deadline.signal },
        undefined,
        release,
      );
      line(`       (as ${attached.info.name})`);
      code = await attached.exit.catch((err: unknown) => {
        if (deadline.signal.aborted) return null;
        throw err;
      });
      if (deadline.signal.aborted) code = null;
      out.flush();
      line(code === 0 ? `       ${title} done` : `       ${title} failed (${code === null ? 'timed out' : `exit status ${code}`})`);
      log.info({ command, code }, 'lifecycle script ran');
    } catch (err) {
      out.flush();
      line(`       ${title} could not run: ${(err as Error).message}`);
      await appendPhaseOutput(this.o.pool, release.id, kept).catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    await appendPhaseOutput(this.o.pool, release.id, kept);
    return code;
  }
}

/** A writable that hands each line written to it to `line` (stdout and stderr share one). */
class LineSink extends Writable {
  private readonly splitter = new LineSplitter();

  constructor(private readonly line: (text: string) => void) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    for (const l of this.splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk), '')) this.line(l.text);
    done();
  }

  flush(): void {
    for (const l of this.splitter.flush()) this.line(l.text);
  }
}
