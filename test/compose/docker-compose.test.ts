import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/platform.js';

const exec = promisify(execFile);

test('docker-compose.yml is valid and runs the whole platform', async () => {
  const env = { ...process.env, PAAS_SECRET: 'x'.repeat(64) };
  const { stdout } = await exec('docker-compose', ['-f', 'docker-compose.yml', 'config', '--services'], { cwd: repoRoot, env });
  // docker-compose 1.x lists the metrics profile's services too (see metrics-profile.test.ts).
  assert.deepEqual(stdout.trim().split('\n').filter((s) => !['grafana', 'prometheus'].includes(s)).sort(), ['builder', 'controller', 'postgres', 'redis', 'router']);
  const full = (await exec('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: repoRoot, env })).stdout;
  assert.match(full, /\/var\/run\/docker.sock/);
});

test('docker-compose.yml refuses to start without a platform secret', async () => {
  const env = { ...process.env };
  delete env['PAAS_SECRET'];
  await assert.rejects(
    exec('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: repoRoot, env }),
    /PAAS_SECRET/,
  );
});

test('every docker-compose.yml service is started again by the engine when it exits (restart: unless-stopped)', async () => {
  const env = { ...process.env, PAAS_SECRET: 'x'.repeat(64) };
  const full = (await exec('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: repoRoot, env })).stdout;
  // The services' blocks: two-space names under `services:`, their settings indented further.
  const services = `\n${full}`.slice(`\n${full}`.indexOf('\nservices:\n')).split(/\n(?=  [a-z-]+:\n)/).slice(1);
  const names = services.map((b) => b.trim().split(':')[0]);
  for (const s of ['builder', 'controller', 'postgres', 'redis', 'router']) assert.ok(names.includes(s), `${s} in ${names.join(', ')}`);
  for (const block of services.map((b) => b.split(/\n(?=[a-z])/)[0]!)) {
    assert.match(block, /\n    restart: unless-stopped(\n|$)/, block.trim().split('\n')[0]);
  }
});
