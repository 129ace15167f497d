import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lastFailure, parseProcessId, processesOf, type SwarmNode, type SwarmService, type SwarmTask } from './swarm-tasks.js';

const svcId = 'a'.repeat(25);
const service: SwarmService = { ID: svcId, Spec: { Name: 'shop-web', Labels: { 'paas.app': 'shop', 'paas.process': 'web', 'paas.release': '4', 'paas.command': 'node s.js' } } };
const nodes: SwarmNode[] = [
  { ID: 'n1', Description: { Hostname: 'node-1' }, Status: { State: 'ready', Addr: '10.0.0.1' } },
  { ID: 'n2', Description: { Hostname: 'node-2' }, Status: { State: 'down', Addr: '10.0.0.2' } },
];
let n = 0;
const task = (slot: number, state: string, desired: string, over: Partial<SwarmTask> = {}): SwarmTask => ({
  ID: `t${String(++n).padStart(24, '0')}`,
  ServiceID: svcId,
  Slot: slot,
  NodeID: 'n1',
  CreatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  DesiredState: desired,
  Status: { State: state, PortStatus: { Ports: [{ TargetPort: 5000, PublishedPort: 30000 + n }] } },
  Spec: { ContainerSpec: { Labels: { 'paas.app': 'shop', 'paas.release': '4', 'paas.command': 'node s.js' } } },
  ...over,
});

test('each slot is a process web.N on its node, reached at the node address and the published port', () => {
  const procs = processesOf([service], [task(1, 'running', 'running'), task(2, 'running', 'running', { NodeID: 'n2' })], nodes);
  assert.deepEqual(
    procs.map((p) => [p.id, p.name, p.host, p.address, p.state, p.release]),
    [
      [`${svcId}.1`, 'web.1', 'node-1', '10.0.0.1', 'up', 4],
      [`${svcId}.2`, 'web.2', 'node-2', '10.0.0.2', 'down', 4],
    ],
  );
  assert.ok(procs[0]!.port! > 30000);
});

test('a task that exited and waits for its restart keeps the id, is crashed and counts the restart', () => {
  const procs = processesOf([service], [task(1, 'failed', 'shutdown'), task(1, 'ready', 'ready')], nodes);
  assert.deepEqual(procs.map((p) => [p.id, p.state, p.restartCount, p.abandoned]), [[`${svcId}.1`, 'crashed', 1, undefined]]);
  const again = processesOf([service], [task(1, 'failed', 'shutdown'), task(1, 'running', 'running')], nodes);
  assert.deepEqual(again.map((p) => [p.state, p.restartCount]), [['up', 1]]);
});

test('during a start-first update a slot lists the new task and, while it runs, the old one; tasks shut down are not listed', () => {
  const old = task(1, 'running', 'running', { Spec: { ContainerSpec: { Labels: { 'paas.release': '3' } } } });
  const fresh = task(1, 'starting', 'running');
  const procs = processesOf([service], [old, fresh], nodes);
  assert.deepEqual(procs.map((p) => [p.id, p.release, p.state]), [[`${svcId}.1`, 4, 'starting'], [`${svcId}.1.${old.ID}`, 3, 'up']]);
  assert.deepEqual(processesOf([service], [task(1, 'shutdown', 'shutdown')], nodes), []);
});

test('process ids are parsed strictly', () => {
  assert.deepEqual(parseProcessId(`${svcId}.3`), { service: svcId, slot: 3 });
  assert.deepEqual(parseProcessId(`${svcId}.3.${'b'.repeat(25)}`), { service: svcId, slot: 3, task: 'b'.repeat(25) });
  for (const bad of ['', '../../x', `${svcId}.1/../x`, `${svcId}`, 'x'.repeat(10_000), `${svcId.toUpperCase()}.1`]) assert.equal(parseProcessId(bad), undefined, bad.slice(0, 20));
});

test('a failed rollout names why its last task failed', () => {
  assert.equal(lastFailure([task(1, 'failed', 'shutdown', { Status: { State: 'failed', Err: 'task: non-zero exit (3)', ContainerStatus: { ExitCode: 3 } } })]), 'task: non-zero exit (3), exit code 3');
  assert.equal(lastFailure([task(1, 'running', 'running')]), undefined);
});
