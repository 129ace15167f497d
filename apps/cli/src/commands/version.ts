import type { Command } from 'commander';
import type { PlatformVersion } from '@paas/shared/api-contract';
import type { Context } from '../context.js';
import { formatKeyValues } from '../table.js';

/** `version`: this CLI's version and the platform's (GET /version, no login needed). */
export function registerVersionCommands(program: Command, ctx: Context): void {
  program
    .command('version')
    .description("show this CLI's version and the platform's (they should match: the platform serves its CLI)")
    .option('--json', 'output as JSON')
    .action((opts: { json?: boolean }) => showVersion(ctx, opts));
}

export async function showVersion(ctx: Context, opts: { json?: boolean }): Promise<void> {
  const { apiUrl } = await ctx.session();
  let platform: PlatformVersion | undefined;
  let problem: string | undefined;
  try {
    // checked here, not warned about by the client
    platform = await ctx.anonymousClient(apiUrl, undefined, { quiet: true }).request<PlatformVersion>('GET', '/version');
  } catch (err) {
    problem = (err as Error).message;
  }
  const cli = ctx.version ?? 'unknown';
  if (opts.json) {
    ctx.printJson({ cli, platform: platform?.version ?? null, api_url: apiUrl, ...(problem ? { error: problem } : {}) });
    return;
  }
  const rows: [string, string][] = [
    ['paas CLI', cli],
    ['Platform', platform ? `${platform.version} (${apiUrl})` : `unknown (${apiUrl}: ${problem})`],
  ];
  for (const line of formatKeyValues(rows)) ctx.print(line);
  if (platform && platform.version !== cli) ctx.print(`They differ: ${platform.cli.install} installs the platform's CLI.`);
}
