import type { Command } from 'commander';
import { ApiError } from '../api-client.js';
import { CliError } from '../cli-error.js';
import type { Context } from '../context.js';
import { Prompter } from '../prompt.js';

interface LoginOptions {
  email?: string;
  password?: string;
  token?: string;
  api?: string;
}

/** `login`, `logout`, `whoami`, `auth:token`. */
export function registerAuthCommands(program: Command, ctx: Context): void {
  program
    .command('login')
    .description('log in with your email and password (or an API token)')
    .option('--email <email>', 'email address (prompted for on a terminal when missing)')
    .option('--password <password>', 'password (prompted for, hidden, on a terminal when missing)')
    .option('--token <token>', 'log in with an existing API token instead of a password')
    .option('--api <url>', 'the paas API URL (default: PAAS_API_URL, the stored URL, or http://127.0.0.1:5050)')
    .action((opts: LoginOptions) => login(ctx, opts));

  program
    .command('logout')
    .description('log out: revoke the session on the server and forget the stored token')
    .action(() => logout(ctx));

  program
    .command('whoami')
    .description('print the email address you are logged in as')
    .action(() => whoami(ctx));

  program
    .command('auth:token')
    .description('print the API token in use')
    .action(() => authToken(ctx));
}

export async function login(ctx: Context, opts: LoginOptions): Promise<void> {
  const session = await ctx.session();
  const apiUrl = (opts.api ?? session.apiUrl).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(apiUrl)) throw new CliError(`--api must be an http(s) URL, not '${apiUrl}'`);

  let token: string;
  let email: string;
  if (opts.token !== undefined) {
    const account = await ctx.anonymousClient(apiUrl, opts.token).account();
    token = opts.token;
    email = account.email;
  } else {
    const credentials = await askCredentials(ctx, opts);
    const result = await ctx.anonymousClient(apiUrl).login(credentials.email, credentials.password);
    token = result.token;
    email = result.user.email;
  }

  await ctx.configFile.update((config) => ({ ...config, api_url: apiUrl, token, email }));
  ctx.print(`Logged in as ${email}`);
  if (ctx.env.apiToken !== undefined) {
    ctx.warn('note: PAAS_API_TOKEN is set in the environment and overrides the stored token');
  }
  if (ctx.env.apiUrl !== undefined && ctx.env.apiUrl !== apiUrl) {
    ctx.warn(`note: PAAS_API_URL (${ctx.env.apiUrl}) is set in the environment and overrides the stored URL`);
  }
}

async function askCredentials(ctx: Context, opts: LoginOptions): Promise<{ email: string; password: string }> {
  let { email, password } = opts;
  if (email !== undefined && password !== undefined) return { email, password };
  if (ctx.io.stdin.isTTY !== true) {
    throw new CliError('not on a terminal: pass --email and --password (or --token)');
  }
  const prompter = new Prompter(ctx.io);
  try {
    email ??= await prompter.ask('Email: ');
    password ??= await prompter.ask('Password: ', { hidden: true });
  } finally {
    prompter.close();
  }
  if (email === '') throw new CliError('an email address is required');
  return { email, password };
}

export async function logout(ctx: Context): Promise<void> {
  let notRevoked: string | undefined;
  await ctx.step('Logging out', async () => {
    const config = await ctx.configFile.read();
    if (config.token === undefined && config.email === undefined) return;
    if (config.token !== undefined) {
      // The session token stops working on the server, not just here; one already invalid is fine.
      const session = await ctx.session();
      await ctx
        .anonymousClient(session.apiUrl, config.token)
        .logout()
        .catch((err: unknown) => {
          if (!(err instanceof ApiError && err.status === 401)) notRevoked = (err as Error).message;
        });
    }
    const { token: _token, email: _email, ...rest } = config;
    await ctx.configFile.write(rest);
  });
  if (notRevoked !== undefined) ctx.warn(`note: the session could not be revoked on the server (${notRevoked}); the token was forgotten here`);
  if (ctx.env.apiToken !== undefined) ctx.warn('note: PAAS_API_TOKEN is still set in the environment');
}

export async function whoami(ctx: Context): Promise<void> {
  const account = await (await ctx.client()).account();
  ctx.print(account.email);
}

export async function authToken(ctx: Context): Promise<void> {
  const session = await ctx.session();
  if (session.token === undefined) throw new CliError('not logged in; run paas login');
  ctx.print(session.token);
}
