import { Command, CommanderError } from 'commander';
import { isCliError } from './cli-error.js';
import { registerAccessCommands } from './commands/access.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerStatusCommands } from './commands/status.js';
import { registerAppsCommands } from './commands/apps.js';
import { registerAuthorizationsCommands } from './commands/authorizations.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerBuildpacksCommands } from './commands/buildpacks.js';
import { registerBuildsCommands } from './commands/builds.js';
import { registerBuildsCreateCommand } from './commands/builds-create.js';
import { registerCertsCommands } from './commands/certs.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDomainsCommands } from './commands/domains.js';
import { registerRouterCommands } from './commands/router.js';
import { registerNetworkCommands } from './commands/network.js';
import { registerGitCommands } from './commands/git.js';
import { registerHostsCommands } from './commands/hosts.js';
import { registerHostProvisionCommands } from './commands/hosts-provision.js';
import { registerLifecycleCommands } from './commands/lifecycle.js';
import { registerLimitsCommands } from './commands/limits.js';
import { registerFeaturesCommands } from './commands/features.js';
import { registerLogsCommands } from './commands/logs.js';
import { registerPsControlCommands } from './commands/ps-control.js';
import { registerPsCommands } from './commands/ps.js';
import { registerReleasesCommands } from './commands/releases.js';
import { registerVulnsCommands } from './commands/vulns.js';
import { registerRollbackCommands } from './commands/rollback.js';
import { registerRunCommands } from './commands/run.js';
import { registerAddonsCommands } from './commands/addons.js';
import { registerDatastoreCommands } from './commands/datastores.js';
import { registerVolumesCommands } from './commands/volumes.js';
import { registerCertsAutoCommands } from './commands/certs-auto.js';
import { registerStacksCommands } from './commands/stacks.js';
import { registerVersionCommands } from './commands/version.js';
import { registerWebhooksCommands } from './commands/webhooks.js';
import { Context, type CliDeps } from './context.js';
import { herokuEquivalent, similarCommands } from './similar-commands.js';
import { extractRemoteOption } from './remote-option.js';

export interface RunOptions {
  version?: string;
}

/** Builds the `paas` command tree around a context. */
export function buildProgram(ctx: Context, options: RunOptions = {}): Command {
  const program = new Command('paas');
  program
    .description('paas: a self-hosted, Heroku-style platform. git push to deploy.')
    .usage('COMMAND [options]')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: (s, write) => write(`paas: ${s.replace(/^error: /, '')}`),
    })
    .configureHelp({ subcommandTerm: (c) => [c.name(), ...c.aliases()].join(', ') })
    .showHelpAfterError('(run paas help for usage)');
  if (options.version !== undefined) program.version(options.version, '-v, --version', 'print the version');
  registerAuthCommands(program, ctx);
  registerAddonsCommands(program, ctx);
  registerDatastoreCommands(program, ctx);
  registerVolumesCommands(program, ctx);
  registerCertsAutoCommands(program, ctx);
  registerWebhooksCommands(program, ctx);
  registerAppsCommands(program, ctx);
  registerGitCommands(program, ctx);
  registerConfigCommands(program, ctx);
  registerPsCommands(program, ctx);
  registerPsControlCommands(program, ctx);
  registerLimitsCommands(program, ctx);
  registerRunCommands(program, ctx);
  registerReleasesCommands(program, ctx);
  registerVulnsCommands(program, ctx);
  registerBuildsCommands(program, ctx);
  registerBuildsCreateCommand(program, ctx);
  registerBuildpacksCommands(program, ctx);
  registerRollbackCommands(program, ctx);
  registerHostsCommands(program, ctx);
  registerHostProvisionCommands(program, ctx);
  registerAuthorizationsCommands(program, ctx);
  registerAccessCommands(program, ctx);
  registerAdminCommands(program, ctx);
  registerStatusCommands(program, ctx);
  registerDomainsCommands(program, ctx);
  registerCertsCommands(program, ctx);
  registerRouterCommands(program, ctx);
  registerNetworkCommands(program, ctx);
  registerLogsCommands(program, ctx);
  registerLifecycleCommands(program, ctx);
  registerStacksCommands(program, ctx);
  registerVersionCommands(program, ctx);
  registerFeaturesCommands(program, ctx);
  for (const command of program.commands) {
    command.exitOverride().showHelpAfterError(`(run paas help ${command.name()} for usage)`);
  }
  return program;
}

/** Runs one `paas` invocation; resolves with the exit code. Never rejects. */
export async function run(given: string[], deps: CliDeps, options: RunOptions = {}): Promise<number> {
  let debug = false;
  try {
    const ctx = new Context({ ...deps, version: deps.version ?? options.version });
    debug = ctx.env.debug;
    const { argv, remote } = extractRemoteOption(given);
    ctx.remote = remote;
    const program = buildProgram(ctx, options);
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    const unknown = unknownCommandIn(program, argv);
    if (unknown !== undefined) {
      deps.io.stderr.write(unknownCommandMessage(program, unknown));
      return 1;
    }
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has printed help or the error
    if (isCliError(err)) {
      if (err.message !== '') deps.io.stderr.write(`paas: ${err.message}\n`); // '': e.g. paas run passing on an exit code
      return err.exitCode;
    }
    const error = err instanceof Error ? err : new Error(String(err));
    deps.io.stderr.write(`paas: unexpected error: ${error.message}\n`);
    if (debug && error.stack) deps.io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

/** The command name in `argv` (or in `help NAME`) when no command has it. */
function unknownCommandIn(program: Command, argv: string[]): string | undefined {
  const [first, second] = argv;
  if (first === undefined || first.startsWith('-')) return undefined;
  const name = first === 'help' ? second : first;
  if (name === undefined || name.startsWith('-')) return undefined;
  const known = program.commands.some((c) => c.name() === name || c.aliases().includes(name));
  return known ? undefined : name;
}

function unknownCommandMessage(program: Command, name: string): string {
  const visible = program.createHelp().visibleCommands(program);
  const names = visible.flatMap((c) => [c.name(), ...c.aliases()]);
  const similar = similarCommands(name, names);
  const lines = [`paas: '${name}' is not a paas command.`];
  const heroku = herokuEquivalent(name, names);
  if (heroku !== undefined) lines.push(`Heroku's ${name} is paas ${heroku} here.`);
  else if (similar.length > 0) {
    lines.push(similar.length === 1 ? 'Did you mean this?' : 'Did you mean one of these?');
    for (const s of similar) lines.push(`  ${s}`);
  }
  lines.push('Run paas help for a list of commands.');
  return `${lines.join('\n')}\n`;
}

