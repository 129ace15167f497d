import type { Command } from 'commander';
import type { StackInfo } from '@paas/shared/api-contract';
import type { ApiClient, App } from '../api-client.js';
import type { Context } from '../context.js';

const appOption = ['-a, --app <app>', 'the app (default: from the git remote named paas)'] as const;

export function listStacks(client: ApiClient): Promise<StackInfo[]> {
  return client.request('GET', '/stacks');
}

/** Heroku's PATCH /apps/{app} with `build_stack`: the stack of the app's next build. */
export function setBuildStack(client: ApiClient, app: string, stack: string): Promise<App> {
  return client.request('PATCH', `/apps/${encodeURIComponent(app)}`, { build_stack: stack });
}

/** `stack` and `stack:set`, as Heroku's. */
export function registerStacksCommands(program: Command, ctx: Context): void {
  program
    .command('stack')
    .alias('stack:list')
    .description("list the stacks (Debian releases) apps build on; * marks the app's")
    .option(...appOption)
    .option('--json', 'output as JSON')
    .action((opts: { app?: string; json?: boolean }) => stackList(ctx, opts));

  program
    .command('stack:set')
    .description("set the stack of an app's next build (trixie, bookworm); it takes effect when the app is next built")
    .argument('<stack>', 'trixie or bookworm')
    .option(...appOption)
    .action((stack: string, opts: { app?: string }) => stackSet(ctx, stack, opts));
}

export async function stackList(ctx: Context, opts: { app?: string; json?: boolean }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const [stacks, info] = await Promise.all([listStacks(client), client.getApp(app)]);
  if (opts.json) {
    ctx.printJson({ stack: info.stack.name, build_stack: info.build_stack.name, stacks });
    return;
  }
  ctx.print(`=== ${app} Available Stacks`);
  for (const s of stacks) {
    const notes = [s.state === 'deprecated' ? 'deprecated' : '', s.name === info.build_stack.name && s.name !== info.stack.name ? 'active on next build' : '']
      .filter((n) => n !== '')
      .map((n) => ` (${n})`)
      .join('');
    ctx.print(`${s.name === info.stack.name ? '*' : ' '} ${s.name}${notes}`);
  }
}

export async function stackSet(ctx: Context, stack: string, opts: { app?: string }): Promise<void> {
  const app = await ctx.app(opts.app);
  const client = await ctx.client();
  const updated = await ctx.step(`Setting the stack of ${app} to ${stack}`, () => setBuildStack(client, app, stack));
  if (updated.stack.name === updated.build_stack.name) {
    ctx.print(`${app} already runs on ${updated.stack.name}.`);
    return;
  }
  ctx.print(`${app} runs on ${updated.stack.name} until its next build: push again (git push paas main) to build it on ${updated.build_stack.name}.`);
}
