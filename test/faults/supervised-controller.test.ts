/**
 * The platform under its supervisor, as `npm run up` runs it: the controller SIGKILLed by its recorded
 * pid answers its health check again with a new pid, and `paas admin:status` shows the restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startPlatform } from '../helpers/platform.js';
import { eventually } from '@paas/test-kit';

test('a SIGKILLed controller is started again by the supervisor and paas admin:status shows it', { timeout: 180_000 }, async () => {
  const platform = await startPlatform({ supervised: true });
  try {
    const before = (await platform.pid('controller'))!;
    assert.ok(before);
    const killedAt = Date.now();
    process.kill(before, 'SIGKILL');
    const after = await eventually(
      async () => {
        const pid = await platform.pid('controller');
        if (!pid || pid === before) return undefined;
        return (await fetch(`${platform.apiUrl}/health`)).ok ? pid : undefined;
      },
      'the controller to answer again',
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    console.log(`# controller SIGKILLed, answering again with pid ${after} after ${Date.now() - killedAt} ms`);

    const res = await platform.paas(['admin:status', '--json']);
    assert.equal(res.code, 0, res.stderr);
    const components = JSON.parse(res.stdout) as Array<{ name: string; state: string; pid: number; restarts: number; version: string; uptime_seconds: number; last_exit: { signal: string } | null }>;
    assert.deepEqual(components.map((c) => c.name), ['supervisor', 'controller', 'builder', 'router']);
    const controller = components.find((c) => c.name === 'controller')!;
    assert.equal(controller.state, 'running');
    assert.equal(controller.pid, after);
    assert.equal(controller.restarts, 1);
    assert.equal(controller.last_exit?.signal, 'SIGKILL');
    assert.match(controller.version, /^\d+\.\d+\.\d+/);
    for (const c of components.filter((x) => x.name !== 'controller')) assert.equal(c.restarts, 0, c.name);

    const table = await platform.paas(['admin:status']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^COMPONENT\s+HOST\s+STATE\s+PID\s+RESTARTS\s+VERSION\s+UPTIME/m);
    assert.match(table.stdout, new RegExp(`^controller\\s+\\S+\\s+running\\s+${after}\\s+1\\s+`, 'm'));
  } finally {
    await platform.stop();
  }
});
