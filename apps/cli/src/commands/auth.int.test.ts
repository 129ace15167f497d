import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { email, password, startFixture, type Fixture } from '../test-support/fixture.js';

describe('auth commands', () => {
  let f: Fixture;
  /** The session token login stored. */
  let token = '';
  before(async () => {
    f = await startFixture({ loggedIn: false });
  });
  after(() => f.close());

  const readConfig = async () => JSON.parse(await readFile(join(f.home, 'cli.json'), 'utf8')) as Record<string, unknown>;

  it('login with --email/--password stores api_url, token and email in a 0600 cli.json', async () => {
    await rm(join(f.home, 'cli.json'));
    const res = await f.cli(['login', '--api', f.url, '--email', email, '--password', password]);
    assert.equal(res.stderr, '');
    assert.equal(res.stdout, `Logged in as ${email}\n`);
    assert.equal(res.code, 0);
    const stored = await readConfig();
    assert.deepEqual(Object.keys(stored).sort(), ['api_url', 'email', 'token']);
    assert.deepEqual([stored['api_url'], stored['email']], [f.url, email]);
    token = String(stored['token']);
    assert.equal((await f.h.tokens.authenticate(token)).email, email, 'a session token of the user');
    assert.equal((await stat(join(f.home, 'cli.json'))).mode & 0o777, 0o600);
    assert.equal(f.requests.at(-1)?.path, '/auth/login');
  });

  it('whoami asks the API and prints the email; auth:token prints the token', async () => {
    assert.deepEqual(await f.cli(['whoami']), { code: 0, stdout: `${email}\n`, stderr: '' });
    assert.equal(f.requests.at(-1)?.path, '/account');
    assert.deepEqual(await f.cli(['auth:token']), { code: 0, stdout: `${token}\n`, stderr: '' });
  });

  it('PAAS_API_TOKEN and PAAS_API_URL override the file', async () => {
    const other = await f.otherUser('other@example.com');
    const res = await f.cli(['whoami'], { env: { PAAS_API_TOKEN: other.token } });
    assert.equal(res.stdout, 'other@example.com\n');
    assert.equal((await f.cli(['auth:token'], { env: { PAAS_API_TOKEN: 'x' } })).stdout, 'x\n');
    const unreachable = await f.cli(['whoami'], { env: { PAAS_API_URL: 'http://127.0.0.1:1' } });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^paas: cannot reach the paas API at http:\/\/127\.0\.0\.1:1/);
  });

  it('a wrong password is refused with the API message on stderr, and nothing is stored', async () => {
    const before = await readConfig();
    const res = await f.cli(['login', '--email', email, '--password', 'wrong']);
    assert.equal(res.code, 1);
    assert.equal(res.stderr, 'paas: invalid email or password\n');
    assert.equal(res.stdout, '');
    assert.deepEqual(await readConfig(), before);
  });

  it('login --token verifies the token with GET /account', async () => {
    const res = await f.cli(['login', '--token', token]);
    assert.equal(res.stdout, `Logged in as ${email}\n`);
    assert.equal(f.requests.at(-1)?.path, '/account');
    assert.equal(f.requests.at(-1)?.authorization, `Bearer ${token}`);
    const bad = await f.cli(['login', '--token', 'nope']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'paas: invalid token\n');
  });

  it('login without a password off a terminal explains instead of hanging', async () => {
    const res = await f.cli(['login', '--email', email]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^paas: not on a terminal: pass --email and --password/);
  });

  it('login prompts on a terminal, without echoing the password', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    stdin.write(`${email}\r`);
    // Type the password once its prompt shows, as a person would.
    const onStderr = (text: string) => {
      if (text.includes('Password: ')) setImmediate(() => stdin.write(`${password}\r`));
    };
    const res = await f.cli(['login'], { stdin, onStderr });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, `Logged in as ${email}\n`);
    assert.match(res.stderr, /Email: /);
    assert.match(res.stderr, /Password: /);
    assert.ok(res.stderr.includes(email), 'the email is echoed');
    assert.ok(!res.stderr.includes(password), 'the password is not echoed');
  });

  it('logout forgets the token and email but keeps the API URL', async () => {
    const token = String((await readConfig())['token']); // the prompted login's
    const res = await f.cli(['logout']);
    assert.deepEqual(res, { code: 0, stdout: 'Logging out... done\n', stderr: '' });
    assert.deepEqual(f.requests.at(-1), { method: 'DELETE', path: '/auth/session', authorization: `Bearer ${token}` });
    await assert.rejects(f.h.tokens.authenticate(token), /session revoked/, 'the session is revoked on the server');
    assert.deepEqual(await readConfig(), { api_url: f.url });
    for (const command of ['whoami', 'auth:token', 'apps']) {
      const out = await f.cli([command]);
      assert.equal(out.code, 1, command);
      assert.equal(out.stderr, 'paas: not logged in; run paas login\n', command);
    }
  });
});
