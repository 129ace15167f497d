import type pg from 'pg';
import { AppError, type Logger, type TerminalSize } from '@paas/shared';
import type { ConfigCipher } from '../auth/config-cipher.js';
import type { AppRow } from '../db/apps.js';
import { nextRunNumber } from '../db/one-offs.js';
import { currentRelease } from '../db/releases.js';
import { isOneOffRunner, type AttachedOneOff, type OneOffIo, type OneOffRunner, type OneOffSpec } from '../runtime/one-off.js';
import type { ProcessInfo, RuntimeBackend } from '../runtime/runtime-backend.js';
import { containerPort } from './deployer.js';

export interface OneOffServiceOptions {
  pool: pg.Pool;
  cipher: ConfigCipher;
  runtime: RuntimeBackend;
  log: Logger;
}

export interface OneOffRequest {
  command: string;
  tty?: boolean;
  size?: TerminalSize;
}

/**
 * Runs one-off processes (`paas run`) with the app's current release: its image, its config vars, a
 * fresh `run.N` name. The runtime decides where (ClusterRuntime places it like any process).
 */
export class OneOffService {
  constructor(private readonly o: OneOffServiceOptions) {}

  private runner(): OneOffRunner {
    if (!isOneOffRunner(this.o.runtime)) throw new AppError('unavailable', 'this platform runtime cannot run one-off processes');
    return this.o.runtime;
  }

  /** Everything that can be refused is checked here, before anything starts. */
  private async spec(app: AppRow, req: OneOffRequest): Promise<OneOffSpec> {
    this.runner();
    const command = req.command.trim();
    if (command === '') throw new AppError('invalid_params', 'command: is empty; give the command to run, e.g. paas run -- bash');
    const release = await currentRelease(this.o.pool, this.o.cipher, app.id);
    if (!release) throw new AppError('invalid_params', `${app.name} has no release yet: deploy it with git push first`);
    const index = await nextRunNumber(this.o.pool, app.id);
    return {
      app: app.name,
      release: release.version,
      index,
      image: release.image,
      command,
      env: release.config,
      port: containerPort,
      tty: req.tty ?? false,
      ...(req.size ? { size: req.size } : {}),
    };
  }

  async runDetached(app: AppRow, req: OneOffRequest): Promise<ProcessInfo> {
    const spec = await this.spec(app, { ...req, tty: false });
    const info = await this.runner().runDetached(spec);
    this.o.log.info({ app: app.name, release: spec.release, process: info.name, host: info.host }, 'one-off started (detached)');
    return info;
  }

  /** Starts an attached one-off: rejects (before anything ran) when it cannot. */
  async runAttached(app: AppRow, req: OneOffRequest, io: OneOffIo): Promise<AttachedOneOff> {
    const spec = await this.spec(app, req);
    const attached = await this.runner().runAttached(spec, io);
    const log = this.o.log.child({ app: app.name, release: spec.release, process: attached.info.name, host: attached.info.host });
    log.info({ tty: spec.tty }, 'one-off started (attached)');
    attached.exit.then(
      (code) => log.info({ code }, 'one-off exited'),
      (err: unknown) => log.warn({ err }, 'one-off lost'),
    );
    return attached;
  }

  async list(app: AppRow): Promise<ProcessInfo[]> {
    return isOneOffRunner(this.o.runtime) ? this.o.runtime.listOneOffs({ app: app.name }) : [];
  }
}
