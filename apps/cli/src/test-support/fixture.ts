// A fake API with one logged-in user and a PAAS_HOME whose cli.json points at it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeApi } from './fake-api.js';
import { runCli, tempDir, type CliResult, type RunCliOptions } from './run-cli.js';

export const email = 'dev@example.com';
export const password = 'hunter2-hunter2';
export const token = 'tok_0123456789abcdef';

export interface Fixture {
  api: FakeApi;
  home: string;
  env: Record<string, string>;
  /** Runs the CLI in-process with PAAS_HOME set (plus extra env). */
  cli(argv: string[], options?: RunCliOptions): Promise<CliResult>;
  close(): Promise<void>;
}

export async function startFixture(options: { loggedIn?: boolean } = {}): Promise<Fixture> {
  const api = new FakeApi();
  await api.start();
  api.addUser(email, password, token);
  const dir = await tempDir('home');
  const home = join(dir.path, 'paas-home');
  await mkdir(home, { recursive: true });
  const config = options.loggedIn === false ? { api_url: api.url } : { api_url: api.url, token, email };
  await writeFile(join(home, 'cli.json'), JSON.stringify(config), { mode: 0o600 });
  const env = { PAAS_HOME: home };
  return {
    api,
    home,
    env,
    cli: (argv, opts = {}) => runCli(argv, { ...opts, env: { ...env, ...opts.env } }),
    close: async () => {
      await api.stop();
      await dir.cleanup();
    },
  };
}
