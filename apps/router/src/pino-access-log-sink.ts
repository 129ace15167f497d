import type { Logger } from '@paas/shared';
import type { AccessEntry, AccessLogSink } from './access-log.js';

/** Access lines into the router's own pino log, at info level (as `msg`, with the app). */
export class PinoAccessLogSink implements AccessLogSink {
  constructor(private readonly logger: Logger) {}

  write(entry: AccessEntry): void {
    this.logger.info({ app: entry.app, access: true }, entry.line);
  }

  async close(): Promise<void> {}
}
