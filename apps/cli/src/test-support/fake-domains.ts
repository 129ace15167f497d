// The fake API's domains and certificates: `/apps/:app/domains[/:hostname]` and `/apps/:app/certs[/:id]`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cert, Domain } from '../api-client.js';
import type { FakeApi } from './fake-api.js';

export class FakeDomains {
  /** Custom domains by app. */
  readonly custom = new Map<string, Domain[]>();
  readonly certs = new Map<string, Cert[]>();
  private n = 0;

  /** Serves the request when it is one of these routes; returns whether it did. */
  handle(api: FakeApi, req: IncomingMessage, body: unknown, res: ServerResponse): boolean {
    const parts = new URL(req.url ?? '/', 'http://x').pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'apps' || parts[1] === undefined || (parts[2] !== 'domains' && parts[2] !== 'certs') || parts.length > 4) return false;
    const app = api.apps.get(parts[1]);
    if (!app) return send(res, 404, { id: 'app_not_found', message: `Couldn't find that app: ${parts[1]}` });
    const route = `${req.method} ${parts[2]}${parts[3] === undefined ? '' : '/:x'}`;
    const target = parts[3] ?? '';
    const domains = this.custom.get(app.name) ?? [];
    const certs = this.certs.get(app.name) ?? [];
    const defaultHost = `${app.name}.localhost`;
    switch (route) {
      case 'GET domains':
        return send(res, 200, [{ id: `d-${app.name}`, hostname: defaultHost, kind: 'default', cname: null, created_at: app.created_at }, ...domains]);
      case 'POST domains': {
        const hostname = String((body as { hostname?: unknown } | undefined)?.hostname ?? '').toLowerCase();
        if (!/^(\*\.)?([a-z0-9-]+\.)+[a-z0-9-]+$/.test(hostname)) {
          return send(res, 422, { id: 'invalid_params', message: 'hostname: a hostname must be a lowercase DNS name' });
        }
        if ([...this.custom.values()].some((list) => list.some((d) => d.hostname === hostname))) {
          return send(res, 409, { id: 'name_taken', message: `${hostname} is already a domain of an app` });
        }
        const domain: Domain = { id: `dom-${++this.n}`, hostname, kind: 'custom', cname: defaultHost, created_at: new Date().toISOString() };
        this.custom.set(app.name, [...domains, domain]);
        return send(res, 201, domain);
      }
      case 'DELETE domains/:x': {
        const domain = domains.find((d) => d.hostname === target || d.id === target);
        if (!domain) return send(res, 404, { id: 'not_found', message: `${app.name} has no domain ${target}` });
        this.custom.set(app.name, domains.filter((d) => d !== domain));
        return send(res, 200, domain);
      }
      case 'GET certs':
        return send(res, 200, certs);
      case 'POST certs': {
        const { certificate_chain: chain, private_key: key } = (body ?? {}) as { certificate_chain?: string; private_key?: string };
        if (!chain?.includes('BEGIN CERTIFICATE')) return send(res, 422, { id: 'invalid_params', message: 'certificate_chain: no PEM certificate (-----BEGIN CERTIFICATE-----) found' });
        if (!key?.includes('PRIVATE KEY')) return send(res, 422, { id: 'invalid_params', message: 'private_key: not a PEM private key' });
        const names = /names=([\w.*,-]+)/.exec(chain)?.[1]?.split(',') ?? ['www.example.com'];
        const cert: Cert = {
          id: `00000000-0000-4000-8000-${String(++this.n).padStart(12, '0')}`,
          names,
          subject: `CN=${names[0]}`,
          issuer: `CN=${names[0]}`,
          fingerprint: 'AB:CD',
          not_before: '2026-01-01T00:00:00.000Z',
          expires_at: '2027-01-01T00:00:00.000Z',
          created_at: new Date().toISOString(),
        };
        this.certs.set(app.name, [...certs, cert]);
        return send(res, 201, cert);
      }
      case 'DELETE certs/:x': {
        const matching = certs.filter((c) => c.id === target || c.names.includes(target));
        if (matching.length !== 1) return send(res, 404, { id: 'not_found', message: `${app.name} has no certificate ${target}` });
        this.certs.set(app.name, certs.filter((c) => c !== matching[0]));
        return send(res, 200, matching[0]);
      }
      default:
        return send(res, 404, { id: 'not_found', message: `no route for ${req.method} ${req.url}` });
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}
