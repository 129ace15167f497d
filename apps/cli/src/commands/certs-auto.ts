import type { Command } from 'commander';
import { certsAutoApi, type AutoCertStatus } from '../certs-auto-client.js';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `certs:auto`, `certs:auto:enable|disable|refresh`: certificates from an ACME CA for an app's custom domains. */
export function registerCertsAutoCommands(program: Command, ctx: Context): void {
  program
    .command('certs:auto')
    .description("the automatic certificates of an app's custom domains, with the CA's reason for any failure")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action(async (opts: { app?: string; json?: boolean }) => {
      const app = await ctx.app(opts.app);
      const status = await certsAutoApi.status(await ctx.client(), app);
      if (opts.json) return ctx.printJson(status);
      if (status.length === 0) return ctx.print(`Automatic certificates are off for ${app}; turn them on with paas certs:auto:enable -a ${app}`);
      for (const line of formatAutoCerts(status)) ctx.print(line);
    });

  program
    .command('certs:auto:enable')
    .description("turn automatic certificates on: each custom domain gets one from the platform's ACME CA, renewed 30 days before expiry")
    .option(...appOption)
    .action(async (opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      await ctx.step(`Enabling automatic certificates for ${app}`, () => certsAutoApi.enable(client, app));
      ctx.print(`Certificates are ordered in the background: see paas certs:auto -a ${app}. Each domain's DNS must point at the router.`);
    });

  program
    .command('certs:auto:refresh')
    .description('order the missing or failed certificates now instead of at the next retry')
    .option(...appOption)
    .action(async (opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      await ctx.step(`Refreshing automatic certificates for ${app}`, () => certsAutoApi.refresh(client, app));
    });

  program
    .command('certs:auto:disable')
    .description('turn automatic certificates off (the certificates they made are removed)')
    .option(...appOption)
    .action(async (opts: { app?: string }) => {
      const app = await ctx.app(opts.app);
      const client = await ctx.client();
      await ctx.step(`Disabling automatic certificates for ${app}`, () => certsAutoApi.disable(client, app));
    });
}

export function formatAutoCerts(status: AutoCertStatus[]): string[] {
  return formatTable([
    ['Domain', 'Status', 'Expires', 'Next attempt', 'Reason'],
    ...status.map((s) => [s.hostname, s.status, s.expires_at ?? '', s.next_attempt_at ?? '', s.message ?? '']),
  ]);
}
