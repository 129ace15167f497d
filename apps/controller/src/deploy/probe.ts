import http from 'node:http';

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

/** One HTTP GET for a health check: the status and (up to 64 KiB of) the body, or the error. */
export type HttpCheck = (
  address: string,
  port: number,
  path: string,
  timeoutMs: number,
) => Promise<{ status: number; body: string } | { error: string }>;

export const httpCheck: HttpCheck = (address, port, path, timeoutMs) =>
  new Promise((resolve) => {
    const req = http.get({ host: address, port, path, timeout: timeoutMs, agent: false, headers: { 'user-agent': 'paas-healthcheck' } }, (res) => {
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
