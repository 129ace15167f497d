// The real CLI as a process: exit codes, stderr, no stack traces.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '@paas/test-kit';
import { startFixture, type Fixture } from './test-support/fixture.js';
import { spawnCli } from './test-support/run-cli.js';

const noStack = (stderr: string) => assert.ok(!/\n\s+at /.test(stderr) && !stderr.includes('.ts:'), `no stack trace in: ${stderr}`);

describe('paas (main)', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  it('a refused connection says the platform may be down, on stderr, exit 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const res = await spawnCli(['apps'], { env: { PAAS_HOME: f.home, PAAS_API_URL: url } });
    assert.equal(res.code, 1);
    assert.equal(res.stdout, '');
    assert.equal(res.stderr, `paas: cannot reach the paas API at ${url}: is the platform up? (npm run up)\n`);
  });

  it('an API error prints its message, exit 1, no stack', async () => {
    const res = await spawnCli(['apps:info', '-a', 'nope'], { env: { PAAS_HOME: f.home } });
    assert.equal(res.code, 1);
    assert.equal(res.stderr, "paas: Couldn't find that app: nope\n");
    noStack(res.stderr);
  });

  it('a bad environment variable is named', async () => {
    const res = await spawnCli(['apps'], { env: { PAAS_HOME: f.home, PAAS_API_URL: 'nope' } });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^paas: invalid configuration:\n\s+PAAS_API_URL: /);
    noStack(res.stderr);
  });

  it('an unknown command lists similar ones on stderr, exit 1', async () => {
    const res = await spawnCli(['confg:set', 'A=1'], { env: { PAAS_HOME: f.home } });
    assert.equal(res.code, 1);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^paas: 'confg:set' is not a paas command\.\nDid you mean/);
    assert.match(res.stderr, /^ {2}config:set$/m);
  });

  it('unknown options and missing arguments are usage errors, exit 1', async () => {
    const opt = await spawnCli(['apps', '--nope'], { env: { PAAS_HOME: f.home } });
    assert.equal(opt.code, 1);
    assert.match(opt.stderr, /^paas: unknown option '--nope'/);
    const arg = await spawnCli(['apps:create'], { env: { PAAS_HOME: f.home } });
    assert.equal(arg.code, 1);
    assert.match(arg.stderr, /^paas: missing required argument 'name'/);
  });

  it('help lists the commands on stdout; help COMMAND and --help describe one', async () => {
    const help = await spawnCli(['help'], { env: { PAAS_HOME: f.home } });
    assert.equal(help.code, 0);
    for (const name of ['login', 'apps:create, create', 'git:remote', 'config:set', 'scale, ps:scale', 'releases']) {
      assert.ok(help.stdout.includes(`  ${name} `), name);
    }
    assert.ok(!help.stdout.includes('git:credential'), 'the credential helper is hidden');
    const one = await spawnCli(['help', 'config:set'], { env: { PAAS_HOME: f.home } });
    assert.equal(one.code, 0);
    assert.match(one.stdout, /Usage: paas config:set \[options\] <KEY=VALUE\.\.\.>/);
    const flag = await spawnCli(['scale', '--help'], { env: { PAAS_HOME: f.home } });
    assert.equal(flag.code, 0);
    assert.match(flag.stdout, /-a, --app <app>/);
  });
});
