/**
 * scripts/supervisor.mjs with tiny child scripts: a child that dies is started again with a new pid,
 * quick exits back off (doubling, up to the ceiling), a child that ran for the stable period starts
 * again after the first step, SIGTERM stops the children (SIGKILL for one that ignores SIGTERM), and
 * components left by an earlier run are stopped before the supervised ones start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/platform.js';
import { eventually } from '@paas/test-kit';

const supervisorScript = join(repoRoot, 'scripts', 'supervisor.mjs');

const scripts = {
  // Runs until SIGTERM.
  long: `setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));`,
  // Exits at once.
  crash: `process.exit(3);`,
  // Runs 400 ms, then exits.
  brief: `setTimeout(() => process.exit(1), 400);`,
  // Ignores SIGTERM; says so in a file once it does.
  stubborn: `import { writeFileSync } from 'node:fs'; setInterval(() => {}, 1000); process.on('SIGTERM', () => {}); writeFileSync(new URL('./stubborn.ready', import.meta.url), '');`,
};

interface ComponentState {
  name: string;
  state: string;
  pid: number | null;
  restarts: number;
  version: string;
  startedAt: string | null;
  lastExit: { code: number | null; signal: string | null; uptimeMs: number } | null;
}
interface State {
  pid: number;
  state: string;
  components: ComponentState[];
}

interface Run {
  home: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  state(): Promise<State | undefined>;
  component(name: string): Promise<ComponentState | undefined>;
  lines(): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

async function supervise(components: Array<keyof typeof scripts>, args: string[] = [], prepare?: (home: string) => Promise<void>): Promise<Run> {
  const home = await mkdtemp(join(tmpdir(), 'paas-supervisor-'));
  await mkdir(join(home, 'run'));
  for (const [name, body] of Object.entries(scripts)) await writeFile(join(home, `${name}.mjs`), body);
  await prepare?.(home);
  let output = '';
  const child = spawn(process.execPath, [supervisorScript, ...args, ...components.map((c) => `${c}=${join(home, `${c}.mjs`)}`)], {
    env: { ...process.env, PAAS_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const state = async (): Promise<State | undefined> => {
    try {
      return JSON.parse(await readFile(join(home, 'run', 'supervisor.json'), 'utf8')) as State;
    } catch {
      return undefined;
    }
  };
  return {
    home,
    child,
    exited,
    state,
    component: async (name) => (await state())?.components.find((c) => c.name === name),
    lines: async () =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      // The children of a killed supervisor: their pid files name them.
      for (const name of Object.keys(scripts)) {
        const pid = Number(await readFile(join(home, 'run', `${name}.pid`), 'utf8').catch(() => ''));
        if (pid > 1) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a child killed with SIGKILL is started again with a new pid, its pid file and state updated', async () => {
  const run = await supervise(['long'], ['--backoff', '100']);
  try {
    const first = await eventually(async () => (await run.component('long'))?.pid, 'the first start', 20_000);
    assert.equal(Number(await readFile(join(run.home, 'run', 'long.pid'), 'utf8')), first);
    process.kill(first, 'SIGKILL');
    const again = await eventually(async () => {
      const c = await run.component('long');
      return c?.state === 'running' && c.pid !== first ? c : undefined;
    }, 'a restart', 20_000);
    assert.equal(again.restarts, 1);
    assert.equal(again.lastExit?.signal, 'SIGKILL');
    assert.ok(alive(again.pid!));
    assert.equal(Number(await readFile(join(run.home, 'run', 'long.pid'), 'utf8')), again.pid);
    assert.match(again.version, /^\d+\.\d+\.\d+/);
  } finally {
    await run.stop();
  }
});

test('a crash loop backs off, doubling the delay up to the ceiling', async () => {
  const run = await supervise(['crash'], ['--backoff', '50', '--max-backoff', '200', '--stable', '60000']);
  try {
    await eventually(async () => ((await run.component('crash'))?.restarts ?? 0) >= 5, 'five restarts', 20_000);
    const delays = (await run.lines()).filter((l) => l['component'] === 'crash' && 'delayMs' in l).map((l) => l['delayMs']);
    assert.deepEqual(delays.slice(0, 5), [50, 100, 200, 200, 200]);
    const c = (await run.component('crash'))!;
    assert.equal(c.lastExit?.code, 3);
  } finally {
    await run.stop();
  }
});

test('a child that ran for the stable period is started again after the first step', async () => {
  const run = await supervise(['brief'], ['--backoff', '50', '--max-backoff', '5000', '--stable', '200']);
  try {
    await eventually(async () => ((await run.component('brief'))?.restarts ?? 0) >= 3, 'three restarts', 30_000);
    const delays = (await run.lines()).filter((l) => 'delayMs' in l).map((l) => l['delayMs']);
    assert.deepEqual(delays.slice(0, 3), [50, 50, 50]);
  } finally {
    await run.stop();
  }
});

test('SIGTERM stops every child (SIGKILL after the grace period for one ignoring SIGTERM) and removes the pid files', async () => {
  const run = await supervise(['long', 'stubborn'], ['--grace', '500']);
  try {
    const pids = await eventually(async () => {
      const s = await run.state();
      const p = s?.components.map((c) => c.pid);
      return p && p.every((x) => x) ? (p as number[]) : undefined;
    }, 'both started', 20_000);
    await eventually(async () => existsSync(join(run.home, 'stubborn.ready')), 'the stubborn child ignoring SIGTERM', 20_000);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} still runs`);
    for (const f of ['long.pid', 'stubborn.pid', 'supervisor.pid']) assert.equal(existsSync(join(run.home, 'run', f)), false, f);
    const s = (await run.state())!;
    assert.deepEqual(s.components.map((c) => c.state), ['stopped', 'stopped']);
    const stubborn = s.components.find((c) => c.name === 'stubborn')!;
    assert.equal(stubborn.lastExit?.signal, 'SIGKILL');
  } finally {
    await run.stop();
  }
});

test('a component left running by an earlier run is stopped before the supervised one starts', async () => {
  let leftover: ChildProcess | undefined;
  const run = await supervise(['long'], [], async (home) => {
    leftover = spawn(process.execPath, [join(home, 'long.mjs')], { stdio: 'ignore' });
    await writeFile(join(home, 'run', 'long.pid'), `${leftover.pid}\n`);
  });
  try {
    const gone = new Promise((r) => leftover!.on('exit', r));
    const c = await eventually(async () => (await run.component('long'))?.pid, 'the supervised start', 20_000);
    await gone;
    assert.notEqual(c, leftover!.pid);
    assert.ok(alive(c));
  } finally {
    leftover?.kill('SIGKILL');
    await run.stop();
  }
});

test("a component's env file sets and removes variables of its environment only (the router gets no PAAS_SECRET)", async () => {
  const { componentEnv } = (await import(supervisorScript)) as { componentEnv: (base: Record<string, string | undefined>, file: string) => Record<string, string | undefined> };
  const dir = await mkdtemp(join(tmpdir(), 'paas-sup-env-'));
  try {
    const file = join(dir, 'router.env');
    const base = { PAAS_SECRET: 's', REDIS_URL: 'redis://127.0.0.1:6379', KEEP: 'k' };
    assert.equal(componentEnv(base, join(dir, 'missing.env')), base, 'no file: the same environment');
    await writeFile(file, '# the router\n-PAAS_SECRET\nREDIS_URL=redis://router:p=w@127.0.0.1:6379\nPAAS_ROUTER_CERT_KEY=ab\n\nnot a line\n');
    assert.deepEqual(componentEnv(base, file), { REDIS_URL: 'redis://router:p=w@127.0.0.1:6379', KEEP: 'k', PAAS_ROUTER_CERT_KEY: 'ab' });
    assert.equal(base.PAAS_SECRET, 's', "the supervisor's own environment is unchanged");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
