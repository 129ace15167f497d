import type { ApiContext } from './context.js';
import { RouteTable } from './route-table.js';
import { adminRoutes } from './routes/admin-routes.js';
import { appsRoutes } from './routes/apps-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { buildpacksRoutes } from './routes/buildpacks-routes.js';
import { collaboratorsRoutes } from './routes/collaborators-routes.js';
import { configRoutes } from './routes/config-routes.js';
import { dynosRoutes } from './routes/dynos-routes.js';
import { formationRoutes } from './routes/formation-routes.js';
import { hostsRoutes } from './routes/hosts-routes.js';
import { limitsRoutes } from './routes/limits-routes.js';
import { logsRoutes } from './routes/logs-routes.js';
import { internalRoutes } from './routes/internal-routes.js';
import { cronRoutes } from './routes/cron-routes.js';
import { maintenanceRoutes } from './routes/maintenance-routes.js';
import { metaRoutes } from './routes/meta-routes.js';
import { networkRoutes } from './routes/network-routes.js';
import { hardeningRoutes } from './routes/hardening-routes.js';
import { releasesRoutes } from './routes/releases-routes.js';
import { rollbackRoutes } from './routes/rollback-routes.js';
import { domainsRoutes } from './routes/domains-routes.js';
import { routerRoutes } from './routes/router-routes.js';
import { statusRoutes } from './routes/status-routes.js';
import { addonsRoutes } from './routes/addons-routes.js';
import { addonServersRoutes } from './routes/addon-servers-routes.js';
import { volumesRoutes } from './routes/volumes-routes.js';
import { acmeRoutes } from './routes/acme-routes.js';
import { stacksRoutes } from './routes/stacks-routes.js';
import { cliRoutes } from './routes/cli-routes.js';
import { herokuRoutes } from './routes/heroku-routes.js';
import { logSessionRoutes } from './routes/log-session-routes.js';

/**
 * Every REST API route, declared in one table: each names its policy action, its schemas and its
 * documentation. New routes go here (as `table.add({...})` in a routes file).
 */
export function apiRoutes(ctx: ApiContext): RouteTable {
  const table = new RouteTable();
  metaRoutes(table, ctx);
  internalRoutes(table, ctx);
  authRoutes(table, ctx);
  appsRoutes(table, ctx);
  configRoutes(table, ctx);
  formationRoutes(table, ctx);
  dynosRoutes(table, ctx);
  limitsRoutes(table, ctx);
  releasesRoutes(table, ctx);
  buildpacksRoutes(table, ctx);
  rollbackRoutes(table, ctx);
  domainsRoutes(table, ctx);
  routerRoutes(table, ctx);
  networkRoutes(table, ctx);
  maintenanceRoutes(table, ctx);
  cronRoutes(table, ctx);
  collaboratorsRoutes(table, ctx);
  adminRoutes(table, ctx);
  hostsRoutes(table, ctx);
  hardeningRoutes(table, ctx);
  statusRoutes(table, ctx);
  logsRoutes(table, ctx);
  addonsRoutes(table, ctx);
  addonServersRoutes(table, ctx);
  volumesRoutes(table, ctx);
  acmeRoutes(table, ctx);
  stacksRoutes(table, ctx);
  cliRoutes(table, ctx);
  herokuRoutes(table, ctx);
  logSessionRoutes(table, ctx);
  return table;
}
