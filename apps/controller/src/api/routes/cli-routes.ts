import { AppError } from '@paas/shared';
import { platformVersionSchema } from '@paas/shared/api-contract';
import { CliTarballFile } from '../../cli-package/cli-tarball.js';
import { platformVersion } from '../../cli-package/platform-version.js';
import type { ApiContext } from '../context.js';
import type { RouteTable } from '../route-table.js';

export const cliTarballPath = '/cli/paas-cli.tgz';

/**
 * The platform's version, and paas's CLI as an npm package for any machine
 * (`npm install -g <api>/cli/paas-cli.tgz`): both public, as a download page would be.
 */
export function cliRoutes(table: RouteTable, ctx: ApiContext): void {
  const tarball = new CliTarballFile(ctx.cliTarball);
  table.add({
    method: 'get',
    path: '/version',
    action: 'public',
    tag: 'meta',
    summary: "The platform's version, and where its CLI is installed from",
    response: platformVersionSchema,
    handler: () => ({ version: platformVersion, cli: { url: `${ctx.config.api.url}${cliTarballPath}`, install: `npm install -g ${ctx.config.api.url}${cliTarballPath}` } }),
  });
  table.add({
    method: 'get',
    path: cliTarballPath,
    action: 'public',
    tag: 'meta',
    summary: 'The paas CLI as an npm package (no dependencies): npm install -g <this URL>',
    raw: { contentType: 'application/gzip' },
    handler: async ({ req, res }) => {
      const file = await tarball.read();
      if (!file) throw new AppError('not_found', "this platform's CLI package is not built: run npm run build on the platform's host");
      res.setHeader('cache-control', 'public, max-age=300, must-revalidate');
      res.setHeader('etag', file.etag);
      res.setHeader('last-modified', file.mtime.toUTCString());
      if (req.headers['if-none-match'] === file.etag) {
        res.status(304).end();
        return;
      }
      res.status(200);
      res.setHeader('content-type', 'application/gzip');
      res.setHeader('content-length', String(file.bytes.length));
      res.setHeader('content-disposition', 'attachment; filename="paas-cli.tgz"');
      res.end(req.method === 'HEAD' ? undefined : file.bytes);
    },
  });
}
