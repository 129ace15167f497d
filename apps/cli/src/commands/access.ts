import type { Command } from 'commander';
import type { Context } from '../context.js';
import { formatTable } from '../table.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

/** `access`, `access:add`, `access:remove`: an app's owner and collaborators. */
export function registerAccessCommands(program: Command, ctx: Context): void {
  program
    .command('access')
    .description("list who has access to an app: its owner and collaborators")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => listAccess(ctx, opts));

  program
    .command('access:add')
    .description('let another user deploy, scale and configure the app (owner or admin)')
    .argument('<email>')
    .option(...appOption)
    .action((email: string, opts: { app?: string }) => addAccess(ctx, email, opts));

  program
    .command('access:remove')
    .description("remove a collaborator's access to the app (owner or admin)")
    .argument('<email>')
    .option(...appOption)
    .action((email: string, opts: { app?: string }) => removeAccess(ctx, email, opts));
}

export async function listAccess(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const list = await (await ctx.client()).listCollaborators(app);
  if (opts.json) {
    ctx.printJson(list);
    return;
  }
  ctx.print(`=== ${app} Access`);
  for (const line of formatTable(list.map((c) => [c.user.email, c.role]))) ctx.print(line);
}

export async function addAccess(ctx: Context, email: string, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  await ctx.step(`Adding ${email} access to ${app}`, () => client.addCollaborator(app, email));
}

export async function removeAccess(ctx: Context, email: string, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  await ctx.step(`Removing ${email} access to ${app}`, () => client.removeCollaborator(app, email));
}
