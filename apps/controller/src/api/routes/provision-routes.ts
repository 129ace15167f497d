import type { Response } from 'express';
import { z } from 'zod';
import { AppError } from '@paas/shared';
import { hostEnvSchema } from '@paas/shared/api-contract';
import { deleteHost, findHost, setHostDraining, upsertProvisionedHost, type HostRow } from '../../db/hosts.js';
import { deletePin } from '../../db/ssh-host-keys.js';
import { inTransaction } from '../../db/queryable.js';
import { enginePort } from '../../provision/engine-config.js';
import { credentialContext, type ProvisionEvent } from '../../provision/host-provisioner.js';
import type { SshTarget } from '../../provision/ssh-connection.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { hostJson } from './hosts-routes.js';

const hostName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'host names are lowercase letters, digits and dashes');
const nameParam = { name: 'The host name' };

/** `ssh://user@address[:port]`: a user, a host name or IP address, a port; nothing else. */
const sshUrl = z
  .string()
  .max(300)
  .regex(/^ssh:\/\/[a-z_][a-z0-9_.-]{0,31}@([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]{2,45}\])(:\d{1,5})?\/?$/, 'must be ssh://user@address or ssh://user@address:port');

const provisionBody = z.object({
  ssh_url: sshUrl,
  private_key: z
    .string()
    .max(16_384)
    .regex(/^-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----\s*$/, 'must be a PEM or OpenSSH private key'),
  passphrase: z.string().max(1024).optional(),
  port: z.number().int().min(1).max(65535).optional().describe('The SSH port (default: the one in ssh_url, else 22)'),
  swarm: z.boolean().optional().describe('Join the host to the Swarm as a worker (needs the swarm runtime)'),
  capacity_memory_mb: z.number().int().positive().max(16 * 1024 * 1024).nullable().optional(),
});

/** The parts of an ssh:// URL the schema accepted. */
function parseSshUrl(url: string, port: number | undefined): { username: string; host: string; port: number } {
  const m = /^ssh:\/\/([^@]+)@(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(url)!;
  const p = port ?? (m[3] ? Number(m[3]) : 22);
  if (!(p >= 1 && p <= 65535)) throw new AppError('invalid_params', 'ssh_url: the port must be 1 to 65535');
  return { username: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port: p };
}

/** Starts an NDJSON answer: one JSON object a line, flushed as written. */
function ndjson(res: Response): (value: unknown) => void {
  res.status(200).setHeader('content-type', 'application/x-ndjson; charset=utf-8');
  res.setHeader('cache-control', 'no-cache');
  res.flushHeaders();
  return (value) => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(value)}\n`);
  };
}

/**
 * Provisioning hosts over SSH (admin only, audited): provision (and repair), rotate the engine's
 * certificates, deprovision, and a client certificate for the docker CLI (hosts:env). The long
 * operations stream their steps as NDJSON (`{"step","state","detail"}` lines, then `{"host"}` or
 * `{"error"}`); what can be refused before a step runs is a plain 4xx.
 */
export function provisionRoutes(table: RouteTable, ctx: ApiContext): void {
  const provisioner = ctx.provisioner;
  if (!provisioner) return;

  const provisioned = async (name: string | undefined): Promise<HostRow & { provision: NonNullable<HostRow['provision']> }> => {
    const h = await findHost(ctx.pool, name ?? '');
    if (!h) throw new AppError('not_found', `no host named ${name}`);
    if (!h.provision) throw new AppError('invalid_params', `${h.name} was added by URL, not provisioned by paas: it has no SSH access or certificates of paas's to manage`);
    return h as HostRow & { provision: NonNullable<HostRow['provision']> };
  };

  const targetOf = (h: HostRow & { provision: NonNullable<HostRow['provision']> }): SshTarget => ({
    host: h.provision.ssh_address,
    port: h.provision.ssh_port,
    username: h.provision.user,
    privateKey: provisioner.credentials.open(h.provision.ssh_key_sealed, credentialContext.sshKey(h.name)),
  });

  /** Runs provision() for a target and registers the host; streams the steps; answers nothing itself. */
  const run = async (res: Response, name: string, target: SshTarget, capacity: number | null | undefined, audit: (result: string, details: Record<string, unknown>) => Promise<void>): Promise<void> => {
    const send = ndjson(res);
    const emit = (e: ProvisionEvent): void => send(e);
    try {
      const creds = await provisioner.provision(target, target.host, emit);
      emit({ step: 'register', state: 'running' });
      const now = new Date();
      const row = await upsertProvisionedHost(ctx.pool, {
        name,
        dockerUrl: `tcp://${target.host.includes(':') ? `[${target.host}]` : target.host}:${enginePort}`,
        address: target.host,
        capacityMemoryMb: capacity ?? null,
        labels: {},
        tls: { ca: creds.ca, cert: creds.cert, key_sealed: provisioner.credentials.seal(creds.key, credentialContext.tlsKey(name)) },
        provision: {
          user: target.username,
          ssh_address: target.host,
          ssh_port: target.port,
          ssh_key_sealed: provisioner.credentials.seal(target.privateKey, credentialContext.sshKey(name)),
          certs_issued_at: now.toISOString(),
          certs_expire_at: new Date(now.getTime() + 825 * 86400_000).toISOString(),
        },
      });
      if (!row) throw new AppError('name_taken', `a host named ${name} was added by URL meanwhile`);
      await ctx.cluster?.refresh();
      emit({ step: 'register', state: 'done', detail: `${name} is a host of the cluster` });
      await audit('succeeded', { docker_url: row.docker_url });
      send({ host: hostJson(row, 0) });
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('internal', 'internal error; the platform log has the details');
      if (!(err instanceof AppError)) ctx.log.error({ err, host: name }, 'provisioning failed');
      await audit('failed', { error: e.code, step: (e.details?.['step'] as string | undefined) ?? null }).catch(() => undefined);
      send({ error: { id: e.code, message: e.message, ...(e.details ?? {}) } });
    } finally {
      res.end();
    }
  };

  table.add({
    method: 'post',
    path: '/hosts/:name/provision',
    action: 'admin',
    tag: 'hosts',
    summary: 'Provision a Debian or Ubuntu machine over SSH as a Docker host with TLS from paas\'s CA, and register it (running it again repairs); streams the steps as NDJSON',
    params: nameParam,
    body: provisionBody,
    example: { ssh_url: 'ssh://root@10.0.0.5', private_key: '-----BEGIN OPENSSH PRIVATE KEY-----\n…\n-----END OPENSSH PRIVATE KEY-----\n' },
    raw: { contentType: 'application/x-ndjson' },
    handler: async ({ req, res, params, body }) => {
      const parsedName = hostName.safeParse(params['name']);
      if (!parsedName.success) throw new AppError('invalid_params', `name: ${parsedName.error.issues[0]?.message ?? 'invalid'}`);
      const name = parsedName.data;
      if (body.swarm && !ctx.swarmJoin) {
        throw new AppError('invalid_params', 'swarm: not available until the swarm runtime lands (PAAS_RUNTIME=swarm); provision without --swarm');
      }
      const existing = await findHost(ctx.pool, name);
      if (existing && !existing.provision) throw new AppError('name_taken', `a host named ${name} exists already (added by URL)`);
      const { username, host, port } = parseSshUrl(body.ssh_url, body.port);
      const target: SshTarget = { host, port, username, privateKey: body.private_key, ...(body.passphrase ? { passphrase: body.passphrase } : {}) };
      // Refusals before any step (a changed host key, a key the server refuses, no SSH at all) are plain errors.
      (await provisioner.connect(target)).close();
      await run(res, name, target, body.capacity_memory_mb, (result, details) =>
        ctx.access.audit.record({ ...requester(req), action: 'host.provision', details: { host: name, ssh: `${username}@${host}:${port}`, result, repair: Boolean(existing), ...details } }),
      );
    },
  });

  table.add({
    method: 'post',
    path: '/hosts/:name/rotate-certs',
    action: 'admin',
    tag: 'hosts',
    summary: "Give a provisioned host's engine a new server certificate and the controller a new client certificate (the provisioning steps again); streams the steps as NDJSON",
    params: nameParam,
    raw: { contentType: 'application/x-ndjson' },
    handler: async ({ req, res, params }) => {
      const h = await provisioned(params['name']);
      const target = targetOf(h);
      (await provisioner.connect(target)).close();
      await run(res, h.name, target, h.capacity_memory_mb, (result, details) =>
        ctx.access.audit.record({ ...requester(req), action: 'host.rotate_certs', details: { host: h.name, result, ...details } }),
      );
    },
  });

  table.add({
    method: 'post',
    path: '/hosts/:name/deprovision',
    action: 'admin',
    tag: 'hosts',
    summary: "Drain a provisioned host, remove it, and stop its engine's TLS listener; streams the steps as NDJSON",
    params: nameParam,
    raw: { contentType: 'application/x-ndjson' },
    handler: async ({ req, res, params }) => {
      const h = await provisioned(params['name']);
      const target = targetOf(h);
      const send = ndjson(res);
      const emit = (e: ProvisionEvent): void => send(e);
      try {
        emit({ step: 'drain', state: 'running' });
        await setHostDraining(ctx.pool, h.name, true);
        await ctx.cluster?.refresh();
        await ctx.reconcileAll();
        const left = ctx.cluster && h.status === 'up' ? await ctx.cluster.listOn(h.name) : [];
        if (left.length > 0) throw new AppError('invalid_params', `${h.name} still runs ${left.length} processes after draining (are there other hosts?): it stays, drained`);
        emit({ step: 'drain', state: 'done' });
        emit({ step: 'remove', state: 'running' });
        await inTransaction(ctx.pool, async (tx) => {
          await deleteHost(tx, h.name);
          await ctx.access.audit.record({ ...requester(req), action: 'host.deprovision', details: { host: h.name } }, tx);
        });
        await ctx.cluster?.refresh();
        emit({ step: 'remove', state: 'done' });
        await provisioner.removeListener(target, emit);
        await deletePin(ctx.pool, target.host, target.port);
        send({ host: hostJson(h, 0) });
      } catch (err) {
        const e = err instanceof AppError ? err : new AppError('internal', 'internal error; the platform log has the details');
        if (!(err instanceof AppError)) ctx.log.error({ err, host: h.name }, 'deprovisioning failed');
        send({ error: { id: e.code, message: e.message } });
      } finally {
        res.end();
      }
    },
  });

  table.add({
    method: 'get',
    path: '/hosts/:name/env',
    action: 'admin',
    tag: 'hosts',
    summary: "A client certificate (30 days) for the docker CLI to reach a provisioned host's engine over TLS: what paas hosts:env writes",
    params: nameParam,
    response: hostEnvSchema,
    handler: async ({ req, params }) => {
      const h = await provisioned(params['name']);
      const ca = await provisioner.platformCa();
      const who = requester(req);
      const client = await ca.issueClient(`paas admin ${who.actor?.email ?? 'unknown'}`, 30);
      await ctx.access.audit.record({ ...who, action: 'host.env', details: { host: h.name, expires_at: client.notAfter.toISOString() } });
      return { docker_host: h.docker_url, ca: ca.cert, cert: client.cert, key: client.key, expires_at: client.notAfter.toISOString() };
    },
  });
}
