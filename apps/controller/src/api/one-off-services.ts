import { OneOffService } from '../deploy/one-off-service.js';
import type { ApiContext } from './context.js';

/** The API's one-off service: the app's release and config, its memory default, the owner's processes quota. */
export function oneOffService(ctx: ApiContext): OneOffService {
  return new OneOffService({
    pool: ctx.pool,
    cipher: ctx.access.cipher,
    runtime: ctx.runtime,
    log: ctx.log,
    quotas: ctx.access.quotas,
    defaultMemory: (app) => ctx.deployer.defaultMemory(app),
  });
}
