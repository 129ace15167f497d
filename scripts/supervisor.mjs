#!/usr/bin/env node
// The platform's supervisor (started by `npm run up`, stopped by `npm run down`): starts each
// component as a child process and starts it again whenever it exits, after a delay that doubles with
// every quick exit (a crash loop) and returns to the first step once a child has run for a stable
// period. Plain Node, no dependencies, so it runs before anything is built or installed.
//
//   PAAS_HOME=… node scripts/supervisor.mjs [--backoff MS] [--max-backoff MS] [--stable MS] [--grace MS] NAME=SCRIPT…
//   (defaults: first delay 1 s, ceiling 60 s, stable after 30 s, 20 s between SIGTERM and SIGKILL)
//
// Each child's output goes to $PAAS_HOME/logs/NAME.log and its pid to $PAAS_HOME/run/NAME.pid; the
// supervisor's own pid is in run/supervisor.pid, its lines in logs/supervisor.log (from up.sh), and the
// state of every component (state, pid, restarts, start time, last exit) in run/supervisor.json, which
// the controller reads for `paas admin:status`. SIGTERM stops the children (SIGTERM, then SIGKILL after
// the grace period) and then the supervisor.
//
// A child gets the supervisor's environment changed by $PAAS_HOME/env/NAME.env when that file exists
// (read at each start): `KEY=VALUE` lines set a variable, `-KEY` lines remove one. `npm run up` writes
// them so that each component gets only its own secrets (the router no PAAS_SECRET, each component its
// own Redis user).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Reads the command line once; every setting has a default except the components. */
function parseArgs(argv) {
  const opts = { backoffMs: 1000, maxBackoffMs: 60_000, stableMs: 30_000, graceMs: 20_000, components: [] };
  const numbers = { '--backoff': 'backoffMs', '--max-backoff': 'maxBackoffMs', '--stable': 'stableMs', '--grace': 'graceMs' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg in numbers) {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) fail(`${arg} wants a number of milliseconds`);
      opts[numbers[arg]] = n;
    } else if (/^[a-z][a-z0-9-]*=.+$/.test(arg)) {
      const [name, script] = [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)];
      opts.components.push({ name, script: resolve(root, script) });
    } else fail(`unknown argument ${arg}`);
  }
  if (opts.components.length === 0) fail('no components: give NAME=SCRIPT arguments');
  return opts;
}

/** The environment of one component: `base` changed by the lines of `file` (KEY=VALUE sets, -KEY removes), when it exists. */
export function componentEnv(base, file) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return base;
    throw err;
  }
  const env = { ...base };
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (/^-[A-Za-z_][A-Za-z0-9_]*$/.test(line.trim())) delete env[line.trim().slice(1)];
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(line)) env[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    else log('warn', 'ignored a line of an env file', { file });
  }
  return env;
}

function fail(message) {
  process.stderr.write(`supervisor: ${message}\n`);
  process.exit(2);
}

function log(level, msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), name: 'supervisor', pid: process.pid, msg, ...fields })}\n`);
}

/** The delay before the next start: doubles with each quick exit in a row, up to the ceiling. */
export function backoffDelay(quickExits, opts) {
  if (quickExits <= 0) return opts.backoffMs;
  return Math.min(opts.backoffMs * 2 ** (quickExits - 1), opts.maxBackoffMs);
}

function readVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A pid from a pid file that still runs `script` (left by a supervisor that was killed), or null. */
function leftoverPid(pidFile, script) {
  let pid;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return null;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(script) ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function stopPid(pid, graceMs) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const home = process.env.PAAS_HOME;
  if (!home) fail('PAAS_HOME is not set');
  const runDir = join(home, 'run');
  const logDir = join(home, 'logs');
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const stateFile = join(runDir, 'supervisor.json');
  const pidFile = join(runDir, 'supervisor.pid');
  writeFileSync(pidFile, `${process.pid}\n`);

  const version = readVersion();
  const startedAt = new Date().toISOString();
  let stopping = false;
  const units = opts.components.map((c) => ({
    ...c,
    pidFile: join(runDir, `${c.name}.pid`),
    child: null,
    state: 'starting',
    pid: null,
    restarts: 0,
    quickExits: 0,
    startedAt: null,
    nextStartAt: null,
    lastExit: null,
    timer: null,
  }));

  const writeState = () => {
    const state = {
      pid: process.pid,
      host: hostname(),
      version,
      startedAt,
      state: stopping ? 'stopping' : 'running',
      updatedAt: new Date().toISOString(),
      components: units.map((u) => ({
        name: u.name,
        state: u.state,
        pid: u.pid,
        restarts: u.restarts,
        version,
        startedAt: u.startedAt,
        nextStartAt: u.nextStartAt,
        lastExit: u.lastExit,
      })),
    };
    const tmp = `${stateFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(tmp, stateFile);
    } catch (err) {
      log('error', 'could not write the state file', { file: stateFile, err: err.message });
    }
  };

  const start = (u) => {
    u.timer = null;
    if (stopping) return;
    const out = openSync(join(logDir, `${u.name}.log`), 'a');
    let child;
    try {
      const env = componentEnv(process.env, join(home, 'env', `${u.name}.env`));
      child = spawn(process.execPath, [u.script], { cwd: root, env, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    u.child = child;
    u.state = 'running';
    u.nextStartAt = null;
    const began = Date.now();
    u.startedAt = new Date(began).toISOString();
    if (child.pid !== undefined) {
      u.pid = child.pid;
      writeFileSync(u.pidFile, `${child.pid}\n`);
      log('info', 'started', { component: u.name, child: child.pid, restarts: u.restarts });
    }
    let ended = false;
    const onExit = (code, signal) => {
      if (ended) return;
      ended = true;
      const uptimeMs = Date.now() - began;
      u.child = null;
      u.pid = null;
      u.lastExit = { code, signal, at: new Date().toISOString(), uptimeMs };
      rmSync(u.pidFile, { force: true });
      if (stopping) {
        u.state = 'stopped';
        writeState();
        return;
      }
      // A child that ran for the stable period starts again after the first step; a crash loop backs off.
      u.quickExits = uptimeMs >= opts.stableMs ? 0 : u.quickExits + 1;
      const delay = backoffDelay(u.quickExits, opts);
      u.restarts++;
      u.state = 'backoff';
      u.nextStartAt = new Date(Date.now() + delay).toISOString();
      log('warn', 'component exited; starting it again', { component: u.name, code, signal, uptimeMs, delayMs: delay, restarts: u.restarts });
      writeState();
      u.timer = setTimeout(() => {
        start(u);
        writeState();
      }, delay);
    };
    child.on('exit', onExit);
    // A child that could not be spawned at all has no exit: it is started again like one that exited.
    child.on('error', (err) => {
      log('error', 'component process error', { component: u.name, err: err.message });
      if (child.pid === undefined) onExit(null, null);
    });
  };

  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    log('info', 'stopping the components', { signal });
    for (const u of units) {
      clearTimeout(u.timer);
      if (!u.child) u.state = 'stopped';
      else u.state = 'stopping';
    }
    writeState();
    await Promise.all(
      units.map(async (u) => {
        if (!u.child) return;
        const exited = new Promise((r) => u.child.once('exit', r));
        u.child.kill('SIGTERM');
        const killer = setTimeout(() => u.child?.kill('SIGKILL'), opts.graceMs);
        await exited;
        clearTimeout(killer);
      }),
    );
    writeState();
    rmSync(pidFile, { force: true });
    log('info', 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => undefined);

  // Components left running by a supervisor that was killed (or started before there was one) hold
  // the ports: they are stopped first, so that the ones started here are the ones supervised.
  await Promise.all(
    units.map(async (u) => {
      const pid = leftoverPid(u.pidFile, u.script);
      if (pid === null) return;
      log('warn', 'stopping a component left by an earlier run', { component: u.name, child: pid });
      await stopPid(pid, opts.graceMs);
    }),
  );
  log('info', 'supervising', { components: units.map((u) => u.name), version });
  for (const u of units) start(u);
  writeState();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    log('fatal', 'supervisor failed', { err: err.message });
    process.exit(1);
  });
}
