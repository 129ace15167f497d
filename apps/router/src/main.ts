import cluster from 'node:cluster';
import { createLogger, exitOnFatalErrors, toError } from '@paas/shared';
import { loadConfig } from './config.js';
import { runPrimary } from './primary.js';
import { runWorker } from './worker.js';

// The primary forks PAAS_ROUTER_WORKERS workers (default: one per core); each worker serves requests
// from a route table of its own, synced from Redis. See primary.ts and worker.ts.
const config = loadConfig(process.env);
const logger = createLogger('router', config.logLevel).child(cluster.isPrimary ? { role: 'primary' } : { worker: cluster.worker?.id });
// A worker that exits this way is forked anew by the primary; the primary by its supervisor.
exitOnFatalErrors(logger);

(cluster.isPrimary ? runPrimary(config, logger) : runWorker(config, logger)).catch((err: unknown) => {
  logger.fatal({ err: toError(err) }, 'router failed to start');
  process.exit(1);
});
