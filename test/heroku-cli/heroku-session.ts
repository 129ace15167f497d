/**
 * What the Heroku CLI suite and its bench start from: a platform (test/helpers/platform.ts) named
 * region `heroku-e2e`, one Express app pushed with git, an API token for the CLI, and the CLI.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gitPush, gitRepo, repoRoot, startPlatform, type Platform } from '../helpers/platform.js';
import { ensureHerokuCli, herokuCli, type HerokuCli } from './heroku-cli.js';
import type { CaseContext } from './heroku-cases.js';

export interface HerokuSession extends CaseContext {
  /** Seconds spent: installing the CLI (0 when cached), starting the platform, the first push. */
  timings: { install: number; platform: number; push: number };
  close(): Promise<void>;
}

export async function startHerokuSession(): Promise<HerokuSession> {
  let t = Date.now();
  const bin = await ensureHerokuCli();
  const install = (Date.now() - t) / 1000;
  t = Date.now();
  const p: Platform = await startPlatform({ env: { PAAS_REGION: 'heroku-e2e' } });
  const platform = (Date.now() - t) / 1000;
  const work = await mkdtemp(join(tmpdir(), 'paas-heroku-e2e-'));
  let cli: HerokuCli | undefined;
  try {
    const app = `hk-${randomBytes(3).toString('hex')}`;
    const dir = join(work, 'app');
    await cp(join(repoRoot, 'test/fixtures/node-express'), dir, { recursive: true });
    await gitRepo(dir);
    const created = await p.paas(['apps:create', app]);
    if (created.code !== 0) throw new Error(`apps:create: ${created.stderr}`);
    const remote = await p.paas(['git:remote', '-a', app], { cwd: dir });
    if (remote.code !== 0) throw new Error(`git:remote: ${remote.stderr}`);
    t = Date.now();
    const pushed = await gitPush(p, dir);
    if (pushed.code !== 0) throw new Error(`git push failed:\n${pushed.output}\n${await p.logs()}`);
    const push = (Date.now() - t) / 1000;
    const { token: session, email } = JSON.parse(await readFile(join(p.home, 'cli.json'), 'utf8')) as { token: string; email: string };
    // The CLI runs with a long-lived API token, as HEROKU_API_KEY would hold on a developer's machine.
    const res = await fetch(`${p.apiUrl}/account/authorizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'heroku cli e2e' }),
    });
    const token = ((await res.json()) as { access_token: { token: string } }).access_token.token;
    cli = await herokuCli(bin, p.apiUrl, token);
    const heroku = cli;
    return {
      p,
      cli: heroku,
      app,
      token,
      email,
      state: {},
      timings: { install, platform, push },
      async close() {
        await heroku.close();
        await p.stop();
        await rm(work, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await cli?.close();
    console.log(await p.logs());
    await p.stop();
    await rm(work, { recursive: true, force: true });
    throw err;
  }
}
