import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { IptablesRunner } from './host-firewall.js';
import { containerLabel } from './container-labels.js';

/** The image with iptables the firewall runs from on hosts reached through their API (scripts/base-images.sh). */
export const firewallImage = 'paas/firewall:bookworm';

/**
 * iptables on a Docker host the controller reaches only through its API: each command runs in a
 * short-lived container of the platform's own (never an app's) in the host's network namespace, with
 * NET_ADMIN and NET_RAW and nothing else (no-new-privileges, no mounts); the rules of
 * iptables-restore go to its stdin. The image must be on the host (the caller copies it).
 */
export function engineIptables(docker: Docker, cluster: string, image = firewallImage): IptablesRunner {
  return {
    async run(command, args, input) {
      const container = await docker.createContainer({
        Image: image,
        Entrypoint: [command],
        Cmd: args,
        OpenStdin: input !== undefined,
        StdinOnce: input !== undefined,
        AttachStdin: input !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Labels: { [containerLabel.cluster]: cluster, [containerLabel.role]: 'firewall' },
        HostConfig: {
          NetworkMode: 'host',
          // the host's network namespace needs the host's user namespace on an engine with userns-remap
          UsernsMode: 'host',
          CapDrop: ['ALL'],
          CapAdd: ['NET_ADMIN', 'NET_RAW'],
          SecurityOpt: ['no-new-privileges'],
          PidsLimit: 64,
          Memory: 128 * 1024 * 1024,
        },
      });
      try {
        const stream = (await container.attach({ stream: true, stdin: input !== undefined, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        let out = '';
        let err = '';
        stdout.on('data', (c: Buffer) => (out += c.toString()));
        stderr.on('data', (c: Buffer) => (err += c.toString()));
        docker.modem.demuxStream(stream, stdout, stderr);
        const ended = new Promise<void>((resolve) => {
          stream.once('end', resolve);
          stream.once('close', resolve);
          stream.once('error', () => resolve());
        });
        await container.start();
        if (input !== undefined) stream.end(input);
        const { StatusCode } = (await container.wait()) as { StatusCode: number };
        await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())]);
        if (!stream.destroyed) stream.destroy();
        return { code: StatusCode, stdout: out, stderr: err };
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
    },
  };
}
