import type { Command } from 'commander';
import type { RouterSettings } from '../api-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `router`, `router:set`: how the routers treat an app's requests (HTTPS redirect, body limit). */
export function registerRouterCommands(program: Command, ctx: Context): void {
  program
    .command('router')
    .alias('router:report')
    .description("show an app's router settings: HTTPS redirect and request body limit")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => showRouter(ctx, opts));

  program
    .command('router:set')
    .description('change router settings, e.g. paas router:set --https-redirect on --max-body-mb 50')
    .option('--https-redirect <on|off>', 'redirect plain HTTP to HTTPS (hosts with a certificate)')
    .option('--max-body-mb <mb>', "request body limit in MB (1 to 10240), or default (the router's)")
    .option(...appOption)
    .action((opts: { app?: string; httpsRedirect?: string; maxBodyMb?: string }) => setRouter(ctx, opts));
}

export function formatRouterSettings(s: RouterSettings): string[] {
  return formatTable([
    ['SETTING', 'VALUE'],
    ['https-redirect', s.https_redirect ? 'on' : 'off'],
    ['max-body-mb', s.max_body_mb === null ? 'default' : String(s.max_body_mb)],
  ]);
}

export async function showRouter(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const settings = await (await ctx.client()).getRouterSettings(app);
  if (opts.json) return ctx.printJson(settings);
  ctx.print(`=== ${app} Router`);
  for (const line of formatRouterSettings(settings)) ctx.print(line);
}

/** `on`/`off` (and their usual spellings) → boolean. */
export function parseOnOff(text: string): boolean {
  const t = text.toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(t)) return true;
  if (['off', 'false', 'no', '0'].includes(t)) return false;
  throw new CliError(`--https-redirect must be on or off, not '${text}'`);
}

/** `50` → 50, `default` → null. */
export function parseMaxBody(text: string): number | null {
  if (text === 'default') return null;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new CliError(`--max-body-mb must be a whole number of MB (e.g. 50) or default, not '${text}'`);
  return Number(text);
}

export async function setRouter(ctx: Context, opts: { app?: string; httpsRedirect?: string; maxBodyMb?: string }): Promise<void> {
  if (opts.httpsRedirect === undefined && opts.maxBodyMb === undefined) throw new CliError('give --https-redirect on|off, --max-body-mb MB|default or both');
  const patch: Partial<RouterSettings> = {};
  if (opts.httpsRedirect !== undefined) patch.https_redirect = parseOnOff(opts.httpsRedirect);
  if (opts.maxBodyMb !== undefined) patch.max_body_mb = parseMaxBody(opts.maxBodyMb);
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const what = [
    patch.https_redirect === undefined ? '' : `HTTPS redirect ${patch.https_redirect ? 'on' : 'off'}`,
    patch.max_body_mb === undefined ? '' : patch.max_body_mb === null ? "the router's default body limit" : `a ${patch.max_body_mb} MB body limit`,
  ].filter(Boolean);
  await ctx.step(`Setting ${what.join(' and ')} on ${app}`, () => client.setRouterSettings(app, patch));
}
