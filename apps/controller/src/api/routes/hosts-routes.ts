import { z } from 'zod';
import { AppError } from '@paas/shared';
import { hostDetailSchema, hostSchema } from '@paas/shared/api-contract';
import { deleteHost, findHost, insertHost, listHosts, setHostDraining, type HostRow } from '../../db/hosts.js';
import { inTransaction } from '../../db/queryable.js';
import { dockerFor } from '../../scheduler/host-registry.js';
import type { ApiContext } from '../context.js';
import { requester } from '../auth.js';
import type { RouteTable } from '../route-table.js';
import { singleLineText } from '../text-rules.js';

const hostName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'host names are lowercase letters, digits and dashes');
const addBody = z.object({
  name: hostName,
  docker_url: z
    .string()
    .regex(/^(unix|tcp|ssh):\/\/\S+$/, 'must be a unix://, tcp:// or ssh:// URL of a Docker engine'),
  address: z.string().regex(/^[A-Za-z0-9.:-]+$/, 'must be an IP address or host name'),
  capacity_memory_mb: z.number().int().positive().max(16 * 1024 * 1024).nullable().optional(),
  labels: z.record(z.string().regex(/^[\w.-]+$/), singleLineText(200)).optional(),
  tls: z.object({ ca: z.string().optional(), cert: z.string(), key: z.string() }).optional(),
  insecure: z.boolean().optional().describe('Allow plain tcp:// (no TLS) to an engine that is not on loopback'),
});

/** Plain tcp:// (no TLS) is refused to anything but loopback unless the admin says --insecure. */
function checkTransport(body: z.infer<typeof addBody>): void {
  if (!body.docker_url.startsWith('tcp://') || body.tls || body.insecure) return;
  let host: string;
  try {
    host = new URL(body.docker_url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    throw new AppError('invalid_params', `docker_url: ${body.docker_url} is not a URL`);
  }
  if (host === 'localhost' || /^127\./.test(host) || host === '::1') return;
  throw new AppError(
    'invalid_params',
    `docker_url: plain tcp:// to ${host} would send the engine's API unencrypted and unauthenticated: give TLS (--tls-cert, --tls-key, --tls-ca), provision the host with paas hosts:provision, or add --insecure on a network you trust`,
  );
}

export function hostJson(h: HostRow, processes?: number) {
  return {
    id: h.id,
    name: h.name,
    docker_url: h.docker_url,
    address: h.address,
    capacity_memory_mb: h.capacity_memory_mb,
    labels: h.labels,
    tls: Boolean(h.tls),
    status: h.draining ? (h.status === 'up' ? 'draining' : 'down') : h.status,
    draining: h.draining,
    last_seen_at: h.last_seen_at,
    last_error: h.last_error,
    provisioned: h.provision !== null && h.provision !== undefined,
    processes,
    created_at: h.created_at,
  };
}

const nameParam = { name: 'The host name' };
const removeQuery = z.object({
  force: z.string().max(8).optional().describe('true: remove it even when it runs processes, or is the last host while apps are scaled up'),
});

/** Docker hosts (admin only): add after checking the engine answers, drain, inspect, remove. */
export function hostsRoutes(table: RouteTable, ctx: ApiContext): void {
  const cluster = ctx.cluster;

  const load = async (name: string | undefined): Promise<HostRow> => {
    const h = await findHost(ctx.pool, name ?? '');
    if (!h) throw new AppError('not_found', `no host named ${name}`);
    return h;
  };

  table.add({
    method: 'get',
    path: '/hosts',
    action: 'admin',
    tag: 'hosts',
    summary: 'The Docker hosts of the cluster, with how many processes each runs',
    response: z.array(hostSchema),
    handler: async () => {
      const procs = cluster ? await cluster.list() : [];
      const rows = await listHosts(ctx.pool);
      return rows.map((h) => hostJson(h, procs.filter((p) => p.host === h.name).length));
    },
  });

  table.add({
    method: 'post',
    path: '/hosts',
    action: 'admin',
    tag: 'hosts',
    summary: 'Add a Docker host (refused unless its engine answers within 5 s)',
    body: addBody,
    example: { name: 'node-2', docker_url: 'tcp://10.0.0.2:2376', address: '10.0.0.2', insecure: true },
    status: 201,
    response: hostSchema,
    handler: async ({ body, req }) => {
      checkTransport(body);
      if (await findHost(ctx.pool, body.name)) throw new AppError('name_taken', `a host named ${body.name} exists already`);
      const docker = dockerFor({ docker_url: body.docker_url, tls: body.tls ?? null });
      try {
        const version = await Promise.race([
          docker.version(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000)),
        ]);
        if (!version?.ApiVersion) throw new Error('the answer is not a Docker engine version');
      } catch (err) {
        throw new AppError('invalid_params', `docker_url: ${body.docker_url} does not answer as a Docker engine (${(err as Error).message})`);
      }
      // the audit event commits with the host, or neither does
      const row = await inTransaction(ctx.pool, async (tx) => {
        const inserted = await insertHost(tx, {
          name: body.name,
          dockerUrl: body.docker_url,
          address: body.address,
          capacityMemoryMb: body.capacity_memory_mb ?? null,
          labels: body.labels ?? {},
          tls: body.tls ?? null,
        });
        const details = { host: inserted.name, docker_url: inserted.docker_url, address: inserted.address, capacity_memory_mb: inserted.capacity_memory_mb, tls: Boolean(inserted.tls), insecure: Boolean(body.insecure) };
        await ctx.access.audit.record({ ...requester(req), action: 'host.add', details }, tx);
        return inserted;
      });
      await cluster?.refresh();
      ctx.log.info({ host: row.name, url: row.docker_url }, 'host added');
      return hostJson(row, 0);
    },
  });

  table.add({
    method: 'get',
    path: '/hosts/:name',
    action: 'admin',
    tag: 'hosts',
    summary: 'One host, with the processes it runs',
    params: nameParam,
    response: hostDetailSchema,
    handler: async ({ params }) => {
      const h = await load(params['name']);
      const procs = cluster && h.status === 'up' ? await cluster.listOn(h.name) : [];
      return {
        ...hostJson(h, procs.length),
        process_list: procs.map((p) => ({ app: p.app, name: p.name, release: p.release, state: p.state, port: p.port })),
      };
    },
  });

  for (const draining of [true, false]) {
    table.add({
      method: 'post',
      path: `/hosts/:name/${draining ? 'drain' : 'undrain'}`,
      action: 'admin',
      tag: 'hosts',
      summary: draining
        ? 'Drain a host: no new processes go there, and its processes move to the other hosts'
        : 'Take a drained host back into placement',
      params: nameParam,
      response: hostSchema,
      handler: async ({ params, req }) => {
        const h = await load(params['name']);
        await inTransaction(ctx.pool, async (tx) => {
          await setHostDraining(tx, h.name, draining);
          await ctx.access.audit.record({ ...requester(req), action: draining ? 'host.drain' : 'host.undrain', details: { host: h.name } }, tx);
        });
        await cluster?.refresh();
        if (!draining) return hostJson({ ...h, draining: false });
        await ctx.reconcileAll();
        const left = cluster && h.status === 'up' ? await cluster.listOn(h.name) : [];
        return hostJson({ ...h, draining: true }, left.length);
      },
    });
  }

  table.add({
    method: 'delete',
    path: '/hosts/:name',
    action: 'admin',
    tag: 'hosts',
    summary: 'Remove a host (drain it first, or force)',
    params: nameParam,
    query: removeQuery,
    response: hostSchema,
    handler: async ({ params, query, req }) => {
      const h = await load(params['name']);
      const force = query.force === 'true';
      const all = await listHosts(ctx.pool);
      const here = cluster && h.status === 'up' ? await cluster.listOn(h.name) : [];
      if (!force && all.length === 1 && (await ctx.pool.query('SELECT 1 FROM formation WHERE quantity > 0 LIMIT 1')).rowCount) {
        throw new AppError('invalid_params', `${h.name} is the last host and apps are scaled up: scale them down first, or use --force`);
      }
      if (!force && here.length > 0) {
        throw new AppError('invalid_params', `${h.name} runs ${here.length} processes: drain it first (paas hosts:drain ${h.name}), or use --force`);
      }
      await inTransaction(ctx.pool, async (tx) => {
        await deleteHost(tx, h.name);
        await ctx.access.audit.record({ ...requester(req), action: 'host.remove', details: { host: h.name, force, processes: here.length } }, tx);
      });
      await cluster?.refresh();
      await ctx.reconcileAll();
      ctx.log.info({ host: h.name, force }, 'host removed');
      return hostJson(h, here.length);
    },
  });
}
