import { Router, type Request } from 'express';
import { z } from 'zod';
import { AppError } from '@paas/shared';
import { deleteHost, findHost, insertHost, listHosts, setHostDraining, type HostRow } from '../../db/hosts.js';
import { inTransaction } from '../../db/queryable.js';
import { dockerFor } from '../../scheduler/cluster-runtime.js';
import type { ApiContext } from '../context.js';
import { currentUser, requester } from '../auth.js';
import { jsonBody } from '../json-body.js';
import { singleLineText } from '../text-rules.js';
import { validate } from '../validate.js';

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
});

function requireAdmin(req: Request): void {
  if (currentUser(req).role !== 'admin') throw new AppError('forbidden', 'managing hosts needs the admin role');
}

function hostJson(h: HostRow, processes?: number) {
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
    processes,
    created_at: h.created_at,
  };
}

/** Docker hosts (admin only): add after checking the engine answers, drain, inspect, remove. */
export function hostsRoutes(ctx: ApiContext): Router {
  const r = Router();
  const cluster = ctx.cluster;

  const load = async (name: string): Promise<HostRow> => {
    const h = await findHost(ctx.pool, name);
    if (!h) throw new AppError('not_found', `no host named ${name}`);
    return h;
  };

  r.get('/hosts', async (req, res) => {
    requireAdmin(req);
    const procs = cluster ? await cluster.list() : [];
    const rows = await listHosts(ctx.pool);
    res.json(rows.map((h) => hostJson(h, procs.filter((p) => p.host === h.name).length)));
  });

  r.post('/hosts', jsonBody, async (req, res) => {
    requireAdmin(req);
    const body = validate(addBody, req.body);
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
      const details = { host: inserted.name, docker_url: inserted.docker_url, address: inserted.address, capacity_memory_mb: inserted.capacity_memory_mb, tls: Boolean(inserted.tls) };
      await ctx.access.audit.record({ ...requester(req), action: 'host.add', details }, tx);
      return inserted;
    });
    await cluster?.refresh();
    ctx.log.info({ host: row.name, url: row.docker_url }, 'host added');
    res.status(201).json(hostJson(row, 0));
  });

  r.get('/hosts/:name', async (req, res) => {
    requireAdmin(req);
    const h = await load(req.params.name!);
    const procs = cluster && h.status === 'up' ? await cluster.listOn(h.name) : [];
    res.json({
      ...hostJson(h, procs.length),
      process_list: procs.map((p) => ({ app: p.app, name: p.name, release: p.release, state: p.state, port: p.port })),
    });
  });

  r.post('/hosts/:name/drain', async (req, res) => {
    requireAdmin(req);
    const h = await load(req.params.name!);
    await inTransaction(ctx.pool, async (tx) => {
      await setHostDraining(tx, h.name, true);
      await ctx.access.audit.record({ ...requester(req), action: 'host.drain', details: { host: h.name } }, tx);
    });
    await cluster?.refresh();
    await ctx.reconcileAll();
    const left = cluster && h.status === 'up' ? await cluster.listOn(h.name) : [];
    res.json({ ...hostJson({ ...h, draining: true }, left.length) });
  });

  r.post('/hosts/:name/undrain', async (req, res) => {
    requireAdmin(req);
    const h = await load(req.params.name!);
    await inTransaction(ctx.pool, async (tx) => {
      await setHostDraining(tx, h.name, false);
      await ctx.access.audit.record({ ...requester(req), action: 'host.undrain', details: { host: h.name } }, tx);
    });
    await cluster?.refresh();
    res.json(hostJson({ ...h, draining: false }));
  });

  r.delete('/hosts/:name', async (req, res) => {
    requireAdmin(req);
    const h = await load(req.params.name!);
    const force = req.query['force'] === 'true';
    const all = await listHosts(ctx.pool);
    const here = cluster && h.status === 'up' ? await cluster.listOn(h.name) : [];
    if (!force && all.length === 1 && (await ctx.pool.query("SELECT 1 FROM formation WHERE quantity > 0 LIMIT 1")).rowCount) {
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
    res.json(hostJson(h, here.length));
  });

  return r;
}
