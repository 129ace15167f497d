import { Reconciler } from '../deploy/reconciler.js';
import type { ControllerMetrics } from './controller-metrics.js';

/** The reconcile loop, timing each pass. */
export class MeteredReconciler extends Reconciler {
  private metrics: ControllerMetrics | undefined;

  /** Times passes from now on. */
  meter(metrics: ControllerMetrics): this {
    this.metrics = metrics;
    return this;
  }

  override async runOnce(opts: { wait?: boolean } = {}): Promise<void> {
    const started = performance.now();
    try {
      await super.runOnce(opts);
    } finally {
      this.metrics?.reconciled((performance.now() - started) / 1000);
    }
  }
}
