import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { createLogger } from '@paas/shared';
import { eventually } from '@paas/test-kit';
import { DockerHostBackend } from './docker-host-backend.js';
import { hardenedHostConfig, platformLabels, uidOf, unprivilegedUser, withExceptions, type HardeningExceptions } from './container-hardening.js';
import { oneOffIo, oneOffSpec } from './one-off.contract.js';

describe('uidOf', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\npaas:x:1000:1000::/app:/bin/bash\ntoor:x:0:0::/:/bin/sh\n';
  test('an unset user is root, a number is itself, a name is looked up', () => {
    assert.equal(uidOf('', passwd), 0);
    assert.equal(uidOf('0:0', passwd), 0);
    assert.equal(uidOf('1000', undefined), 1000);
    assert.equal(uidOf('paas', passwd), 1000);
    assert.equal(uidOf('paas:root', passwd), 1000);
    assert.equal(uidOf('toor', passwd), 0);
    assert.equal(uidOf('nobody', passwd), undefined);
  });
});

describe('platformLabels', () => {
  test('every label the platform reads is its own; other paas.* labels of the image are blanked', () => {
    const labels = platformLabels({ 'paas.app': 'mine', 'paas.role': 'process' }, { 'paas.app': 'other', 'paas.build': 'x', 'paas.memory': '1', maintainer: 'me' });
    assert.equal(labels['paas.app'], 'mine');
    assert.equal(labels['paas.role'], 'process');
    assert.equal(labels['paas.build'], '');
    assert.equal(labels['paas.memory'], '');
    assert.equal(labels['paas.cluster'], '');
    assert.equal(labels['maintainer'], undefined);
  });

  test('the host config drops every capability and keeps nothing of the host', () => {
    const hc = hardenedHostConfig(64);
    assert.deepEqual(hc.CapDrop, ['ALL']);
    assert.deepEqual(hc.SecurityOpt, ['no-new-privileges']);
    assert.equal(hc.PidsLimit, 64);
    assert.equal(hc.Privileged, false);
    assert.deepEqual(hc.Binds, []);
    assert.deepEqual(hc.Devices, []);
  });

  test("the operator's exceptions change only capabilities added, the PID limit, the user and no-new-privileges", () => {
    const base = hardenedHostConfig(64);
    assert.deepEqual(withExceptions(base, unprivilegedUser, undefined), { hostConfig: base, user: unprivilegedUser });
    const some = withExceptions(base, unprivilegedUser, { cap_add: [], pids_limit: null, image_user: false, no_new_privileges: true });
    assert.deepEqual(some, { hostConfig: base, user: unprivilegedUser });
    const all = withExceptions(base, unprivilegedUser, { cap_add: ['KILL'], pids_limit: 2048, image_user: true, no_new_privileges: false });
    assert.equal(all.user, undefined);
    assert.deepEqual(all.hostConfig, { ...base, CapAdd: ['KILL'], PidsLimit: 2048, SecurityOpt: [] });
  });
});

/** Builds an image from a Dockerfile text alone. */
async function buildImage(docker: Docker, tag: string, dockerfile: string, cluster: string): Promise<void> {
  const p = pack();
  p.entry({ name: 'Dockerfile' }, dockerfile);
  p.finalize();
  const res = await docker.buildImage(p as unknown as NodeJS.ReadableStream, { t: tag, labels: { 'paas.cluster': cluster }, rm: true, forcerm: true });
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(res, (err: Error | null) => (err ? reject(err) : resolve())));
}

describe('DockerHostBackend runs every container hardened', () => {
  const docker = new Docker();
  const cluster = `test-${randomBytes(4).toString('hex')}`;
  const rootImage = `paas-test/root-${cluster}:1`;
  const aliasImage = `paas-test/alias-${cluster}:1`;
  const userImage = `paas-test/user-${cluster}:1`;
  // the operator loosened one app, 'loose', and no other
  const exceptions = new Map<string, HardeningExceptions>([['loose', { cap_add: ['NET_BIND_SERVICE', 'CHOWN'], pids_limit: 300, image_user: true, no_new_privileges: false }]]);
  const runtime = new DockerHostBackend({
    docker,
    hostName: 'local',
    publishAddress: '127.0.0.1',
    address: '127.0.0.1',
    cluster,
    pidsLimit: 100,
    exceptions: async (app) => exceptions.get(app),
    log: createLogger('test', 'silent'),
  });
  const status = 'grep -E "^(Uid|CapEff|NoNewPrivs):" /proc/self/status; cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null; sleep 60';

  before(async () => {
    // root by default, with labels that would put it in another app's, a build's and a bigger process's place
    await buildImage(docker, rootImage, 'FROM paas/run:bookworm\nLABEL paas.app=other paas.role=build paas.memory=99999 paas.build=b1\n', cluster);
    // a name that is uid 0 in the image's own /etc/passwd
    await buildImage(docker, aliasImage, 'FROM paas/run:bookworm\nRUN echo "toor:x:0:0::/:/bin/sh" >>/etc/passwd\nUSER toor\n', cluster);
    // as slug images are: the run image's paas user
    await buildImage(docker, userImage, 'FROM paas/run:bookworm\nUSER paas\n', cluster);
  });
  after(async () => {
    const left = await docker.listContainers({ all: true, filters: { label: [`paas.cluster=${cluster}`] } });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    for (const n of await docker.listNetworks({ filters: { label: [`paas.cluster=${cluster}`] } })) await docker.getNetwork(n.Id).remove().catch(() => undefined);
    for (const image of [rootImage, aliasImage, userImage]) await docker.getImage(image).remove({ force: true }).catch(() => undefined);
  });

  /** What `status` printed, once it printed all of it (the PID limit comes last). */
  async function output(id: string): Promise<string> {
    return eventually(async () => {
      const text = await runtime.logs(id, 20);
      return text.includes('NoNewPrivs') && /^(\d+|max)$/m.test(text) ? text : undefined;
    }, 'the status lines', { timeoutMs: 10_000, intervalMs: 100 });
  }

  test('a root image runs as an unprivileged uid, without capabilities, with no-new-privileges and the PID limit', async () => {
    const p = await runtime.start({ app: 'mine', release: 1, type: 'web', index: 1, image: rootImage, command: status, env: {}, port: 5000, publish: false });
    const text = await output(p.id);
    assert.match(text, /Uid:\s+10000\s/);
    assert.match(text, /CapEff:\s+0000000000000000/);
    assert.match(text, /NoNewPrivs:\s+1/);
    assert.match(text, /^100$/m);
    const info = await docker.getContainer(p.id).inspect();
    assert.equal(info.Config.User, unprivilegedUser);
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
    assert.equal(info.HostConfig.Privileged, false);
    assert.equal(info.HostConfig.PidsLimit, 100);
    assert.deepEqual(info.Mounts, []);
  });

  test("the image's paas.* labels change nothing the platform reads", async () => {
    const listed = await runtime.list({ app: 'mine' });
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.app, 'mine');
    assert.equal(listed[0]!.memoryMb, undefined);
    assert.deepEqual(await runtime.list({ app: 'other' }), []);
    const info = await docker.getContainer(listed[0]!.id).inspect();
    assert.equal(info.Config.Labels['paas.role'], 'process');
    assert.equal(info.Config.Labels['paas.build'], '');
  });

  test('a user name that is uid 0 in the image is not trusted; a one-off is hardened alike', async () => {
    const io = oneOffIo();
    const run = await runtime.runAttached(oneOffSpec(aliasImage, { command: 'grep -E "^(Uid|CapEff|NoNewPrivs):" /proc/self/status' }), io);
    assert.equal(await run.exit, 0);
    const text = io.stdout.text();
    assert.match(text, /Uid:\s+10000\s/);
    assert.match(text, /CapEff:\s+0000000000000000/);
    assert.match(text, /NoNewPrivs:\s+1/);
  });

  test("only the app the operator loosened gets its exceptions: capabilities back, its PID limit, the image's root, no-new-privileges off", async () => {
    const p = await runtime.start({ app: 'loose', release: 1, type: 'web', index: 1, image: rootImage, command: status, env: {}, port: 5000, publish: false });
    const text = await output(p.id);
    assert.match(text, /Uid:\s+0\s/);
    assert.match(text, /NoNewPrivs:\s+0/);
    assert.doesNotMatch(text, /CapEff:\s+0000000000000000/);
    assert.match(text, /^300$/m);
    const info = await docker.getContainer(p.id).inspect();
    assert.deepEqual(info.HostConfig.CapDrop, ['ALL'], 'still everything else dropped');
    assert.deepEqual([...(info.HostConfig.CapAdd ?? [])].sort(), ['CHOWN', 'NET_BIND_SERVICE']);
    assert.equal(info.HostConfig.Privileged, false);
    assert.deepEqual(info.Mounts, []);
    // a one-off of another app on the same runtime: the defaults
    const io = oneOffIo();
    const run = await runtime.runAttached(oneOffSpec(rootImage, { command: 'grep -E "^(Uid|CapEff|NoNewPrivs):" /proc/self/status' }), io);
    assert.equal(await run.exit, 0);
    assert.match(io.stdout.text(), /Uid:\s+10000\s/);
    assert.match(io.stdout.text(), /NoNewPrivs:\s+1/);
  });

  test('an image whose user is not root keeps it', async () => {
    const io = oneOffIo();
    const run = await runtime.runAttached(oneOffSpec(userImage, { command: 'id -u' }), io);
    assert.equal(await run.exit, 0);
    assert.match(io.stdout.text(), /^1000$/m);
  });
});
