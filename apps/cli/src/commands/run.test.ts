import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { run } from '../program.js';
import { email, startFixture, token, type Fixture } from '../test-support/fixture.js';
import { selfCommandFromSource } from '../test-support/run-cli.js';
import { commandLine } from './run.js';

describe('paas run', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
    f.api.addApp('shop', email).current_release = 3;
  });
  after(() => f.close());

  it('streams the output, forwards stdin and passes the exit code through', async () => {
    const res = await f.cli(['run', '-a', 'shop', '--', 'echo hi; exit 3'], { stdin: 'hello\nworld\n' });
    assert.equal(res.code, 3);
    assert.equal(res.stdout, 'ran echo hi; exit 3\nhello\nworld\n');
    assert.equal(res.stderr, 'Running echo hi; exit 3 on shop... up, run.1\nbye\n');
    const sent = f.api.processes.runs.at(-1);
    assert.deepEqual([sent?.command, sent?.attach, sent?.tty, sent?.stdin], ['echo hi; exit 3', true, false, 'hello\nworld\n']);
    const ok = await f.cli(['run', '-a', 'shop', 'true']);
    assert.equal(ok.code, 0);
  });

  it('joins several words into a command line, quoting where the shell needs it', async () => {
    await f.cli(['run', '-a', 'shop', '--', 'ls', 'a b', '-la', "it's"]);
    assert.equal(f.api.processes.runs.at(-1)?.command, `ls 'a b' -la 'it'\\''s'`);
    assert.equal(commandLine(['node', 'migrate.js', '--to=3']), 'node migrate.js --to=3');
    assert.equal(commandLine(['echo $HOME; exit 3']), 'echo $HOME; exit 3');
  });

  it('on a terminal: asks for a tty of its size, raw mode while it runs, and sends resizes', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true, raw: [] as boolean[], setRawMode(this: { raw: boolean[] }, on: boolean) { this.raw.push(on); } });
    let out = '';
    const stdout = Object.assign(new EventEmitter(), {
      isTTY: true,
      columns: 120,
      rows: 40,
      write: (s: string) => (out += s),
    });
    let err = '';
    const done = run(['run', '-a', 'shop', '--', 'bash'], {
      io: { stdout, stderr: { write: (s: string) => (err += s) }, stdin },
      env: f.env,
      cwd: process.cwd(),
      homeDir: '/nonexistent',
      selfCommand: selfCommandFromSource,
    });
    for (let i = 0; i < 100 && !out.includes('ran bash'); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(stdin.raw, [true]);
    stdout.columns = 100;
    stdout.rows = 30;
    stdout.emit('resize');
    stdin.write('ls\r');
    await new Promise((r) => setTimeout(r, 50));
    stdin.end();
    assert.equal(await done, 0);
    assert.deepEqual(stdin.raw, [true, false], 'raw mode is restored');
    const sent = f.api.processes.runs.at(-1);
    assert.equal(sent?.tty, true);
    assert.deepEqual(sent?.size, { cols: 120, rows: 40 });
    assert.deepEqual(sent?.resizes, [{ cols: 100, rows: 30 }]);
    assert.equal(out, 'ran bash\nls\r');
    assert.match(err, /^Running bash on shop\.\.\. up, run\.\d+\n/);

    const plainIn = Object.assign(new PassThrough(), { isTTY: true });
    plainIn.end();
    const noTty = await run(['run', '--no-tty', '-a', 'shop', '--', 'bash'], {
      io: { stdout, stderr: { write: () => true }, stdin: plainIn },
      env: f.env,
      cwd: process.cwd(),
      homeDir: '/nonexistent',
      selfCommand: selfCommandFromSource,
    });
    assert.equal(noTty, 0);
    assert.equal(f.api.processes.runs.at(-1)?.tty, false);
  });

  it('an empty command, a lost process and refusals are clear errors', async () => {
    const empty = await f.cli(['run', '-a', 'shop', '--', '']);
    assert.equal(empty.code, 1);
    assert.equal(empty.stderr, 'Running  on shop... !\npaas: command: is empty; give the command to run, e.g. paas run -- bash\n');
    const none = await f.cli(['run', '-a', 'shop']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /missing required argument 'command'/);
    const failed = await f.cli(['run', '-a', 'shop', 'fail']);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /up, run\.\d+\npaas: the host of run.1 was lost\n$/);
    const lost = await f.cli(['run', '-a', 'shop', 'hang-up']);
    assert.equal(lost.code, 1);
    assert.match(lost.stderr, /paas: the connection to the process was lost before it exited\n$/);
    const noApp = await f.cli(['run', '-a', 'nope', 'ls']);
    assert.equal(noApp.stderr, 'Running ls on nope... !\npaas: app nope not found\n');
    const badToken = await f.cli(['run', '-a', 'shop', 'ls'], { env: { PAAS_API_TOKEN: 'wrong' } });
    assert.match(badToken.stderr, /paas: invalid or missing API token\n$/);
    const down = await f.cli(['run', '-a', 'shop', 'ls'], { env: { PAAS_API_URL: 'http://127.0.0.1:9', PAAS_API_TOKEN: token } });
    assert.match(down.stderr, /paas: cannot reach the paas API at http:\/\/127.0.0.1:9/);
  });

  it('run:detached starts it in the background and says how to see it', async () => {
    const res = await f.cli(['run:detached', '-a', 'shop', '--', 'node', 'migrate.js']);
    assert.equal(res.stderr, '');
    assert.match(res.stdout, /^Running node migrate.js on shop\.\.\. done, run\.(\d+)\nUse paas logs -a shop --ps run\.\1 to view its output; paas ps:stop run\.\1 -a shop stops it\.\n$/);
    assert.deepEqual(f.api.requests.at(-1)?.body, { command: 'node migrate.js', attach: false });
    const json = JSON.parse((await f.cli(['run:detached', '-a', 'shop', '--json', '--', 'sleep 5'])).stdout) as { name: string; type: string };
    assert.equal(json.type, 'run');
    const empty = await f.cli(['run:detached', '-a', 'shop', '--', ' ']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /command: is empty/);
  });
});
