import http from 'node:http';
import https from 'node:https';
import { AppError, type EgressGuard, type EgressUse } from '@paas/shared';

/** The config var naming an app's own maintenance page (Heroku's name). */
export const maintenancePageVar = 'PAAS_MAINTENANCE_PAGE_URL';

/** A page larger than this is refused (the routers hold it in memory; migrations/036 caps it too). */
export const maxMaintenancePageBytes = 256 * 1024;

const use: EgressUse = {
  field: maintenancePageVar,
  schemes: ['https:', 'http:'],
  rule: 'the maintenance page is fetched by the platform from a public http(s) URL',
};

/**
 * Fetches an app's maintenance page through the egress guard (the address checked is the address
 * connected to): one GET, no redirects followed, a 2xx answer of at most 256 KiB within the timeout.
 * Rejects with an `invalid_params` AppError saying why.
 */
export async function fetchMaintenancePage(guard: EgressGuard, raw: string, timeoutMs = 10_000): Promise<string> {
  const { url } = await guard.checkUrl(raw, use);
  const get = url.protocol === 'https:' ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new AppError('invalid_params', `${maintenancePageVar}: ${url.origin}${url.pathname} ${why}`));
    const req = get(url, { lookup: guard.lookup, timeout: timeoutMs, agent: false, headers: { 'user-agent': 'paas-maintenance', accept: 'text/html' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        res.resume();
        fail(`answered HTTP ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxMaintenancePageBytes) {
          req.destroy();
          fail(`is larger than ${maxMaintenancePageBytes / 1024} KiB`);
        } else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', (err) => fail(`could not be read: ${err.message}`));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (err) => fail(`could not be fetched: ${err.message}`));
  });
}
