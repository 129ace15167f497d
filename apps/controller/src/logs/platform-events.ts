import type { Logger } from '@paas/shared';
import type { LogStore } from './log-store.js';

/** What the deployer, the reconciler and the host monitor tell an app's log (`platform:` lines). */
export interface PlatformEventSink {
  /** A free-form event line; `process` is `api` for events about the app, or a process name. */
  say(app: string, line: string, process?: string): Promise<void>;
  releaseCreated(app: string, release: { version: number; description: string; user_email: string | null }): Promise<void>;
  releaseFailed(app: string, release: { version: number }, reason: string): Promise<void>;
  scaled(app: string, updates: { type: string; quantity: number }[], by: string | undefined): Promise<void>;
}

/**
 * Platform events as lines of the app's log stream (source `platform`), like Heroku's
 * `app[api]: Release v4 created by user@example.com`. Writing never fails the caller: an event that
 * cannot be stored is logged for operators and dropped.
 */
export class PlatformEvents implements PlatformEventSink {
  constructor(
    private readonly store: LogStore,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async say(app: string, line: string, process = 'api'): Promise<void> {
    await this.write(app, [{ process, line }]);
  }

  async releaseCreated(app: string, release: { version: number; description: string; user_email: string | null }): Promise<void> {
    await this.say(app, `Release v${release.version} created by ${release.user_email ?? 'the platform'}: ${release.description}`);
  }

  async releaseFailed(app: string, release: { version: number }, reason: string): Promise<void> {
    await this.say(app, `Release v${release.version} failed to start and was not promoted: ${reason.split('\n')[0]}`);
  }

  async scaled(app: string, updates: { type: string; quantity: number }[], by: string | undefined): Promise<void> {
    await this.say(app, `Scaled to ${updates.map((u) => `${u.type}@${u.quantity}`).join(' ')} by ${by ?? 'the platform'}`);
  }

  private async write(app: string, lines: { process: string; line: string }[]): Promise<void> {
    if (lines.length === 0) return;
    const ts = this.now().toISOString();
    try {
      await this.store.append(
        app,
        lines.map((l) => ({ ts, source: 'platform', process: l.process, line: l.line })),
      );
    } catch (err) {
      this.log.warn({ app, err: (err as Error).message }, 'could not write a platform event to the app log');
    }
  }
}
