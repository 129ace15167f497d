import { AppError } from '@paas/shared';
import { PushService, type PushInput, type PushServiceOptions } from '../deploy/push-service.js';
import type { ControllerMetrics } from './controller-metrics.js';

/** The push service, timing every push to its end and counting its outcome (the deploy metrics). */
export class MeteredPushService extends PushService {
  constructor(
    private readonly metrics: ControllerMetrics,
    options: PushServiceOptions,
  ) {
    super(options);
  }

  override async push(input: PushInput): Promise<{ buildId: string; version: number }> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      const result = await super.push(input);
      this.metrics.deployed('succeeded', seconds());
      return result;
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'internal';
      const outcome = code === 'build_failed' || code === 'no_buildpack' ? 'build_failed' : code === 'release_failed' ? 'release_failed' : 'refused';
      this.metrics.deployed(outcome, seconds());
      throw err;
    }
  }
}
