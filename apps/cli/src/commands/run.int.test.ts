import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { run } from '../program.js';
import { startFixture, type Fixture } from '../test-support/fixture.js';
import { ScriptedRuntime } from '../test-support/scripted-runtime.js';
import { selfCommandFromSource } from '../test-support/run-cli.js';
import { commandLine } from './run.js';
import { eventually } from '@paas/test-kit';

describe('paas run', () => {
  let f: Fixture;
  const runtime = new ScriptedRuntime();
  before(async () => {
    f = await startFixture({ harness: { runtime } });
    await f.app('shop');
  });
  after(() => f.close());

  it('streams the output, forwards stdin and passes the exit code through', async () => {
    const res = await f.cli(['run', '-a', 'shop', '--', 'echo hi; exit 3'], { stdin: 'hello\nworld\n' });
    assert.equal(res.code, 3);
    assert.equal(res.stdout, 'ran echo hi; exit 3\nhello\nworld\n');
    assert.equal(res.stderr, 'Running echo hi; exit 3 on shop... up, run.1\nbye\n');
    const sent = runtime.attachedRuns.at(-1);
    assert.deepEqual([sent?.spec.command, sent?.spec.tty, sent?.stdin], ['echo hi; exit 3', false, 'hello\nworld\n']);
    const ok = await f.cli(['run', '-a', 'shop', 'true']);
    assert.equal(ok.code, 0);
  });

  it('joins several words into a command line, quoting where the shell needs it', async () => {
    await f.cli(['run', '-a', 'shop', '--', 'ls', 'a b', '-la', "it's"]);
    assert.equal(runtime.attachedRuns.at(-1)?.spec.command, `ls 'a b' -la 'it'\\''s'`);
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
    await eventually(() => out.includes('ran bash'), 'the one-off to run bash');
    assert.deepEqual(stdin.raw, [true]);
    stdout.columns = 100;
    stdout.rows = 30;
    stdout.emit('resize');
    stdin.write('ls\r');
    await new Promise((r) => setTimeout(r, 50));
    stdin.end();
    assert.equal(await done, 0);
    assert.deepEqual(stdin.raw, [true, false], 'raw mode is restored');
    const sent = runtime.attachedRuns.at(-1);
    assert.equal(sent?.spec.tty, true);
    assert.deepEqual(sent?.spec.size, { cols: 120, rows: 40 });
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
    assert.equal(runtime.attachedRuns.at(-1)?.spec.tty, false);
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
    assert.match(failed.stderr, /up, (run\.\d+)\npaas: the host of \1 was lost\n$/);
    const noApp = await f.cli(['run', '-a', 'nope', 'ls']);
    assert.equal(noApp.stderr, "Running ls on nope... !\npaas: Couldn't find that app: nope\n");
    const badToken = await f.cli(['run', '-a', 'shop', 'ls'], { env: { PAAS_API_TOKEN: 'wrong' } });
    assert.match(badToken.stderr, /paas: invalid token\n$/);
    const down = await f.cli(['run', '-a', 'shop', 'ls'], { env: { PAAS_API_URL: 'http://127.0.0.1:9', PAAS_API_TOKEN: f.token } });
    assert.match(down.stderr, /paas: cannot reach the paas API at http:\/\/127.0.0.1:9/);
  });

  it('run:detached starts it in the background and says how to see it', async () => {
    const res = await f.cli(['run:detached', '-a', 'shop', '--', 'node', 'migrate.js']);
    assert.equal(res.stderr, '');
    assert.match(res.stdout, /^Running node migrate.js on shop\.\.\. done, run\.(\d+)\nUse paas logs -a shop --ps run\.\1 to view its output; paas ps:stop run\.\1 -a shop stops it\.\n$/);
    assert.equal((await f.h.runtime.listOneOffs({ app: 'shop' })).at(-1)?.command, 'node migrate.js');
    const json = JSON.parse((await f.cli(['run:detached', '-a', 'shop', '--json', '--', 'sleep 5'])).stdout) as { name: string; type: string };
    assert.equal(json.type, 'run');
    const empty = await f.cli(['run:detached', '-a', 'shop', '--', ' ']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /command: is empty/);
  });
});
