/*
 * The nodejs buildpack's bin/detect and bin/release, run in the real build image as the builder runs
 * them (bin/compile is covered by the builder's end-to-end tests).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { defaultStack, stackImage } from '@paas/shared';
import { loadConfig } from './config.js';
import { putArchive, tarOfDirectory, tarOfFiles } from './docker-archive.js';
import { removeContainer } from './build-container.js';
import { runExec } from './docker-exec.js';
import { parseReleaseYaml } from './buildpack-release.js';

const docker = new Docker();
const cluster = `paas-test-${randomBytes(4).toString('hex')}`;
const config = loadConfig({});
let container: Docker.Container;

before(async () => {
  container = await docker.createContainer({ Image: stackImage(config.buildImage, defaultStack), Cmd: ['sleep', 'infinity'], Labels: { 'paas.cluster': cluster } });
  await container.start();
  await putArchive(container, tarOfDirectory(config.buildpacksDir), '/buildpacks');
});

after(async () => {
  if (container) await removeContainer(container);
});

/** Puts an app into /tmp/<name> and runs a buildpack script on it as the paas user. */
async function run(script: 'detect' | 'release', name: string, files: Record<string, string>) {
  await putArchive(container, tarOfFiles([{ name: `${name}/.keep`, content: '' }, ...Object.entries(files).map(([n, c]) => ({ name: `${name}/${n}`, content: c }))]), '/tmp');
  return runExec(container, { cmd: [`/buildpacks/nodejs/bin/${script}`, `/tmp/${name}`], user: 'paas', captureStdout: true });
}

test('bin/detect says Node.js when package.json exists, and exits 1 otherwise', async () => {
  assert.deepEqual(await run('detect', 'd1', { 'package.json': '{}' }), { exitCode: 0, stdout: 'Node.js\n' });
  assert.equal((await run('detect', 'd2', { 'main.go': 'package main' })).exitCode, 1);
});

test('bin/release declares web: npm start for every Node.js app, as Heroku does; a Procfile of MCP servers gets none', async () => {
  const release = async (name: string, files: Record<string, string>) => {
    const res = await run('release', name, files);
    assert.equal(res.exitCode, 0);
    return parseReleaseYaml(res.stdout, 'nodejs');
  };
  assert.deepEqual(await release('r1', { 'package.json': '{"scripts":{"start":"node app.js"}}', 'server.js': '' }), { web: 'npm start' });
  assert.deepEqual(await release('r2', { 'package.json': '{"scripts":{"build":"tsc"}}', 'server.js': '' }), { web: 'npm start' });
  assert.deepEqual(await release('r3', { 'package.json': '{}' }), { web: 'npm start' });
  assert.deepEqual(await release('r4', { 'package.json': '{}', Procfile: 'mcp-tools: node mcp.js\n' }), {});
});
