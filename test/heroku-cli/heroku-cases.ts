/**
 * The everyday Heroku CLI cases (issue 24: "15 of 40 worked unchanged"), run in this order against
 * a platform with one deployed Express app. Each case runs the real `heroku` command and checks what
 * it printed and what it changed (through paas's API or its router). The e2e test and
 * bench/heroku-cli.ts run this one list.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Platform } from '../helpers/platform.js';
import type { HerokuCli, HerokuRun } from './heroku-cli.js';

const exec = promisify(execFile);

export interface CaseContext {
  p: Platform;
  cli: HerokuCli;
  /** The deployed app. */
  app: string;
  /** The API token the CLI runs with, and its user's email. */
  token: string;
  email: string;
  /** Set by the cases as they go (e.g. a token created by authorizations:create). */
  state: Record<string, string>;
}

export interface HerokuCase {
  name: string;
  /** The part of item 1 another branch brings (the case is counted, but the suite does not require it). */
  elsewhere?: 'app rename' | 'stacks' | 'webhooks';
  run(ctx: CaseContext): Promise<void>;
}

/** paas's API with the case's token. */
export async function api(ctx: CaseContext, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${ctx.p.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed };
}

/** Runs `heroku ARGS` and requires exit 0; the output for the case's checks. */
async function ok(ctx: CaseContext, args: string[], opts: { cwd?: string } = {}): Promise<HerokuRun> {
  const r = await ctx.cli.run(args, opts);
  assert.equal(r.code, 0, `heroku ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const a = (ctx: CaseContext) => ['-a', ctx.app];

export const herokuCases: HerokuCase[] = [
  {
    name: 'auth:whoami',
    run: async (ctx) => assert.match((await ok(ctx, ['auth:whoami'])).stdout, new RegExp(ctx.email.replace(/[.+]/g, '\\$&'))),
  },
  { name: 'apps', run: async (ctx) => assert.match((await ok(ctx, ['apps'])).stdout, new RegExp(`\\b${ctx.app}\\b`)) },
  {
    name: 'apps:info',
    elsewhere: 'stacks', // Heroku's CLI prints app.stack.name
    run: async (ctx) => {
      const out = (await ok(ctx, ['apps:info', ...a(ctx)])).stdout;
      assert.match(out, new RegExp(`=== ${ctx.app}`));
      assert.match(out, /Web URL/);
    },
  },
  {
    name: 'apps:create',
    run: async (ctx) => {
      ctx.state['created'] = `hk-${ctx.app.slice(-6)}-new`;
      await ok(ctx, ['apps:create', ctx.state['created']!, '--no-remote']);
      assert.equal((await api(ctx, 'GET', `/apps/${ctx.state['created']}`)).status, 200);
    },
  },
  {
    name: 'apps:rename',
    elsewhere: 'app rename',
    run: async (ctx) => {
      const renamed = `${ctx.state['created']}-r`;
      await ok(ctx, ['apps:rename', renamed, '-a', ctx.state['created']!]);
      assert.equal((await api(ctx, 'GET', `/apps/${renamed}`)).status, 200);
      ctx.state['created'] = renamed;
    },
  },
  {
    name: 'apps:destroy',
    run: async (ctx) => {
      await ok(ctx, ['apps:destroy', '-a', ctx.state['created']!, '--confirm', ctx.state['created']!]);
      assert.equal((await api(ctx, 'GET', `/apps/${ctx.state['created']}`)).status, 404);
    },
  },
  {
    name: 'config:set',
    run: async (ctx) => {
      await ok(ctx, ['config:set', 'GREETING=hello world', ...a(ctx)]);
      assert.equal((await api(ctx, 'GET', `/apps/${ctx.app}/config-vars`)).body.GREETING, 'hello world');
    },
  },
  { name: 'config:get', run: async (ctx) => assert.equal((await ok(ctx, ['config:get', 'GREETING', ...a(ctx)])).stdout.trim(), 'hello world') },
  { name: 'config', run: async (ctx) => assert.match((await ok(ctx, ['config', ...a(ctx)])).stdout, /GREETING:\s+hello world/) },
  {
    name: 'config:unset',
    run: async (ctx) => {
      await ok(ctx, ['config:unset', 'GREETING', ...a(ctx)]);
      assert.equal((await api(ctx, 'GET', `/apps/${ctx.app}/config-vars`)).body.GREETING, undefined);
    },
  },
  {
    name: 'ps',
    run: async (ctx) => {
      const out = (await ok(ctx, ['ps', ...a(ctx)])).stdout;
      assert.equal(out.match(/^web\.1: /gm)?.length, 1, `web.1 once:\n${out}`);
    },
  },
  {
    name: 'ps:scale web=2',
    run: async (ctx) => {
      await ok(ctx, ['ps:scale', 'web=2', ...a(ctx)]);
      const web = (await api(ctx, 'GET', `/apps/${ctx.app}/formation`)).body.find((f: { type: string }) => f.type === 'web');
      assert.equal(web.quantity, 2);
      await ok(ctx, ['ps:scale', 'web=1', ...a(ctx)]);
    },
  },
  { name: 'ps:restart', run: async (ctx) => void (await ok(ctx, ['ps:restart', ...a(ctx)])) },
  {
    name: 'run:detached',
    run: async (ctx) => {
      const r = await ok(ctx, ['run:detached', ...a(ctx), '--', 'echo', 'detached']);
      assert.match(r.stdout + r.stderr, /run\.\d+/);
    },
  },
  { name: 'releases', run: async (ctx) => assert.match((await ok(ctx, ['releases', ...a(ctx)])).stdout, /^\s*v1\s/m) },
  { name: 'releases:info', run: async (ctx) => assert.match((await ok(ctx, ['releases:info', ...a(ctx)])).stdout, /=== Release v\d+/) },
  {
    name: 'rollback (no version)',
    run: async (ctx) => {
      const before = (await api(ctx, 'GET', `/apps/${ctx.app}`)).body.current_release as number;
      await ok(ctx, ['rollback', ...a(ctx)]);
      const after = await api(ctx, 'GET', `/apps/${ctx.app}/releases/v${before + 1}`);
      assert.equal(after.status, 200);
      assert.match(after.body.description, /^Rollback to v\d+/);
    },
  },
  {
    name: 'maintenance:on',
    run: async (ctx) => {
      await ok(ctx, ['maintenance:on', ...a(ctx)]);
      assert.equal((await ctx.p.get(ctx.app)).status, 503);
    },
  },
  { name: 'maintenance', run: async (ctx) => assert.match((await ok(ctx, ['maintenance', ...a(ctx)])).stdout, /^on$/m) },
  {
    name: 'maintenance:off',
    run: async (ctx) => {
      await ok(ctx, ['maintenance:off', ...a(ctx)]);
      assert.equal((await ctx.p.get(ctx.app)).status, 200);
    },
  },
  {
    name: 'domains:add',
    run: async (ctx) => {
      await ok(ctx, ['domains:add', 'www.heroku-e2e.test', ...a(ctx)]);
      assert.ok((await api(ctx, 'GET', `/apps/${ctx.app}/domains`)).body.some((d: { hostname: string }) => d.hostname === 'www.heroku-e2e.test'));
    },
  },
  { name: 'domains', run: async (ctx) => assert.match((await ok(ctx, ['domains', ...a(ctx)])).stdout, /www\.heroku-e2e\.test/) },
  {
    name: 'domains:remove',
    run: async (ctx) => {
      await ok(ctx, ['domains:remove', 'www.heroku-e2e.test', ...a(ctx)]);
      assert.ok(!(await api(ctx, 'GET', `/apps/${ctx.app}/domains`)).body.some((d: { hostname: string }) => d.hostname === 'www.heroku-e2e.test'));
    },
  },
  {
    name: 'certs',
    run: async (ctx) => {
      const r = await ok(ctx, ['certs', ...a(ctx)]);
      assert.match(r.stdout + r.stderr, /has no SSL certificates/i);
    },
  },
  { name: 'logs', run: async (ctx) => assert.match((await ok(ctx, ['logs', '-n', '200', ...a(ctx)])).stdout, /listening on \d+/) },
  { name: 'access', run: async (ctx) => assert.match((await ok(ctx, ['access', ...a(ctx)])).stdout, new RegExp(ctx.email.replace(/[.+]/g, '\\$&'))) },
  {
    name: 'buildpacks:set URL',
    run: async (ctx) => {
      await ok(ctx, ['buildpacks:set', 'https://buildpacks.example.com/nodejs.tgz', ...a(ctx)]);
      assert.deepEqual((await api(ctx, 'GET', `/apps/${ctx.app}`)).body.buildpacks, ['https://buildpacks.example.com/nodejs.tgz']);
    },
  },
  { name: 'buildpacks', run: async (ctx) => assert.match((await ok(ctx, ['buildpacks', ...a(ctx)])).stdout, /buildpacks\.example\.com\/nodejs\.tgz/) },
  { name: 'regions', run: async (ctx) => assert.match((await ok(ctx, ['regions'])).stdout, /\bheroku-e2e\b/) },
  { name: 'features', run: async (ctx) => assert.match((await ok(ctx, ['features', ...a(ctx)])).stdout, /https-redirect/) },
  {
    name: 'features:enable',
    run: async (ctx) => {
      await ok(ctx, ['features:enable', 'https-redirect', ...a(ctx)]);
      assert.equal((await api(ctx, 'GET', `/apps/${ctx.app}/router`)).body.https_redirect, true);
    },
  },
  {
    name: 'features:disable',
    run: async (ctx) => {
      await ok(ctx, ['features:disable', 'https-redirect', ...a(ctx)]);
      assert.equal((await api(ctx, 'GET', `/apps/${ctx.app}/router`)).body.https_redirect, false);
    },
  },
  {
    // labs lists the experimental (non-general) features; paas's switches are all general, so both
    // lists are empty under their headers and https-redirect is left to `features`.
    name: 'labs',
    run: async (ctx) => {
      const out = (await ok(ctx, ['labs', ...a(ctx)])).stdout;
      assert.match(out, new RegExp(`=== User Features ${ctx.email.replace(/[.+]/g, '\\$&')}`));
      assert.match(out, new RegExp(`=== App Features ${ctx.app}`));
      assert.doesNotMatch(out, /https-redirect/);
    },
  },
  {
    name: 'authorizations:create',
    run: async (ctx) => {
      const out = (await ok(ctx, ['authorizations:create', '-d', 'heroku e2e', '--json'])).stdout;
      const created = JSON.parse(out) as { id: string; access_token: { token: string } };
      ctx.state['authorization'] = created.id;
      ctx.state['authorizationToken'] = created.access_token.token;
      const res = await fetch(`${ctx.p.apiUrl}/account`, { headers: { authorization: `Bearer ${created.access_token.token}` } });
      assert.equal(res.status, 200);
    },
  },
  { name: 'authorizations', run: async (ctx) => assert.match((await ok(ctx, ['authorizations'])).stdout, /heroku e2e/) },
  {
    name: 'authorizations:revoke',
    run: async (ctx) => {
      await ok(ctx, ['authorizations:revoke', ctx.state['authorization']!]);
      const res = await fetch(`${ctx.p.apiUrl}/account`, { headers: { authorization: `Bearer ${ctx.state['authorizationToken']}` } });
      assert.equal(res.status, 401);
    },
  },
  { name: 'addons', run: async (ctx) => void (await ok(ctx, ['addons', ...a(ctx)])) },
  { name: 'stack', elsewhere: 'stacks', run: async (ctx) => assert.match((await ok(ctx, ['stack', ...a(ctx)])).stdout, /trixie|bookworm/) },
  { name: 'webhooks', elsewhere: 'webhooks', run: async (ctx) => void (await ok(ctx, ['webhooks', ...a(ctx)])) },
  {
    name: 'git:remote',
    run: async (ctx) => {
      const dir = await mkdtemp(join(tmpdir(), 'paas-heroku-git-'));
      try {
        await exec('git', ['init', '--quiet', dir]);
        await ok(ctx, ['git:remote', ...a(ctx)], { cwd: dir });
        const { stdout } = await exec('git', ['remote', '-v'], { cwd: dir });
        assert.match(stdout, new RegExp(`^heroku\\s+\\S*${ctx.app}\\.git`, 'm'));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  },
];

export interface CaseResult {
  name: string;
  passed: boolean;
  elsewhere?: string | undefined;
  error?: string;
  ms: number;
}

/** Runs every case in order; a failing case does not stop the others. */
export async function runHerokuCases(ctx: CaseContext, onResult?: (r: CaseResult) => void): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of herokuCases) {
    const started = Date.now();
    let result: CaseResult;
    try {
      await c.run(ctx);
      result = { name: c.name, passed: true, elsewhere: c.elsewhere, ms: Date.now() - started };
    } catch (err) {
      result = { name: c.name, passed: false, elsewhere: c.elsewhere, error: (err as Error).message.slice(0, 2000), ms: Date.now() - started };
    }
    results.push(result);
    onResult?.(result);
  }
  return results;
}
