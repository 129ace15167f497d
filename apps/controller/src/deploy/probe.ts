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
