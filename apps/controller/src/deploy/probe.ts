import http from 'node:http';
import https from 'node:https';

/** Tells whether a web process answers HTTP on address:port. */
export type Probe = (address: string, port: number) => Promise<boolean>;

/**
 * A web process counts as up once it answers an HTTP request on its port with any status. A bare TCP
 * connect is not enough: Docker's port proxy accepts connections before the app listens.
 */
export const httpProbe: Probe = (address, port) =>
  new Promise((resolve) => {
    const req = http.get({ host: address, port, path: '/', timeout: 2000, agent: false, headers: { 'user-agent': 'paas-probe' } }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });

/** What a health check's GET carries besides its path: its scheme and extra headers (app.json's httpHeaders). */
export interface HttpCheckOptions {
  scheme?: 'http' | 'https';
  headers?: Record<string, string>;
}

/** One HTTP GET for a health check: the status and (up to 64 KiB of) the body, or the error. */
export type HttpCheck = (
  address: string,
  port: number,
  path: string,
  timeoutMs: number,
  options?: HttpCheckOptions,
) => Promise<{ status: number; body: string } | { error: string }>;

export const httpCheck: HttpCheck = (address, port, path, timeoutMs, options = {}) =>
  new Promise((resolve) => {
    // An app's own check of its own process: its certificate is not the platform's to verify.
    const get = options.scheme === 'https' ? (o: https.RequestOptions, cb: (res: http.IncomingMessage) => void) => https.get({ ...o, rejectUnauthorized: false }, cb) : http.get;
    const headers = { ...options.headers, 'user-agent': 'paas-healthcheck' };
    const req = get({ host: address, port, path, timeout: timeoutMs, agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 65536) body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
  });
