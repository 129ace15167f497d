import { z } from 'zod';
import { certSchema, domainSchema } from '@paas/shared/api-contract';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import { domainsPerAppMax } from '../input-limits.js';
import type { RouteTable } from '../route-table.js';
import type { CertJson } from '../../domains/cert-service.js';

const addDomainBody = z.object({
  hostname: z.string({ required_error: 'is required' }).max(253).describe('A DNS name such as www.example.com, or a wildcard *.example.com'),
});

export const addCertBody = z.object({
  certificate_chain: z.string({ required_error: 'is required' }).max(100_000).describe('PEM: the certificate, then its intermediates'),
  private_key: z.string({ required_error: 'is required' }).max(100_000).describe('PEM: the unencrypted private key'),
});

/** `paas domains` and `paas certs`: the hostnames that reach an app, and the certificates the routers serve for them. */
export function domainsRoutes(table: RouteTable, ctx: ApiContext): void {
  table.add({
    method: 'get',
    path: '/apps/:app/domains',
    action: 'app:domains',
    tag: 'domains',
    summary: "The app's default domain (<app>.<PAAS_DOMAIN>) and its custom domains",
    response: z.array(domainSchema),
    handler: ({ app }) => ctx.domains.list(app),
  });

  table.add({
    method: 'post',
    path: '/apps/:app/domains',
    action: 'app:domains',
    tag: 'domains',
    summary: `Add a custom domain (409 name_taken when another app has it; at most ${domainsPerAppMax} per app, 422 limit_exceeded); the route is live when this answers`,
    body: addDomainBody,
    example: { hostname: 'www.example.com' },
    status: 201,
    response: domainSchema,
    handler: async ({ app, body, req }) => {
      return ctx.domains.add(app, body.hostname, (tx, hostname) =>
        ctx.access.audit.record({ ...requester(req), action: 'domain.add', app: app.name, details: { hostname } }, tx),
      );
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/domains/:name',
    action: 'app:domains',
    tag: 'domains',
    summary: 'Remove a custom domain',
    params: { name: 'The hostname (or the id) of the domain' },
    response: domainSchema,
    handler: async ({ app, params, req }) => {
      const domain = await ctx.domains.remove(app, params['name'] ?? '');
      await ctx.access.audit.record({ ...requester(req), action: 'domain.remove', app: app.name, details: { hostname: domain.hostname } });
      return domain;
    },
  });

  table.add({
    method: 'get',
    path: '/apps/:app/certs',
    action: 'app:domains',
    tag: 'domains',
    summary: "The app's TLS certificates (served by the routers with SNI)",
    response: z.array(certSchema),
    handler: ({ app }) => ctx.certs.list(app),
  });

  table.add({
    method: 'post',
    path: '/apps/:app/certs',
    action: 'app:domains',
    tag: 'domains',
    summary: 'Add a TLS certificate and its key (checked: PEM, matching key, valid now); the key is stored sealed',
    body: addCertBody,
    example: { certificate_chain: '-----BEGIN CERTIFICATE-----\n…', private_key: '-----BEGIN PRIVATE KEY-----\n…' },
    status: 201,
    response: certSchema,
    handler: async ({ app, body, req }) => {
      const cert = await ctx.certs.add(app, body.certificate_chain, body.private_key);
      // The certificate's public facts only: never the key.
      await ctx.access.audit.record({ ...requester(req), action: 'cert.add', app: app.name, details: auditFacts(cert) });
      return cert;
    },
  });

  table.add({
    method: 'delete',
    path: '/apps/:app/certs/:name',
    action: 'app:domains',
    tag: 'domains',
    summary: 'Remove a TLS certificate',
    params: { name: 'The id of the certificate, or a name it covers (when only one of the app’s certificates does)' },
    response: certSchema,
    handler: async ({ app, params, req }) => {
      const cert = await ctx.certs.remove(app, params['name'] ?? '');
      await ctx.access.audit.record({ ...requester(req), action: 'cert.remove', app: app.name, details: auditFacts(cert) });
      return cert;
    },
  });
}

export function auditFacts(cert: CertJson): Record<string, unknown> {
  return { id: cert.id, names: cert.names, fingerprint: cert.fingerprint, expires_at: cert.expires_at };
}
