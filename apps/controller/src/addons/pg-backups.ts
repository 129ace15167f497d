import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@paas/shared';
import type { AddonServer } from './addon-provisioner.js';

export interface BackupInfo {
  id: string;
  bytes: number;
  created_at: Date;
}

const backupId = /^b\d{3,9}$/;

/** libpq's environment for the add-on's database, reached with the server's admin credentials (never in argv). */
function pgEnv(server: AddonServer, database: string): NodeJS.ProcessEnv {
  const url = new URL(server.adminUrl);
  return {
    PATH: process.env['PATH'],
    PGHOST: url.hostname.replace(/^\[|\]$/g, ''),
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username) || 'postgres',
    PGPASSWORD: decodeURIComponent(url.password),
    PGDATABASE: database,
    PGCONNECT_TIMEOUT: '10',
  };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const detail = String(stderr).trim().split('\n').slice(-3).join(' ') || err.message;
      reject(new AppError('unavailable', `${cmd} failed: ${detail}`, { cause: err }));
    });
  });
}

/**
 * pg:backups: pg_dump files (custom format) the platform keeps per add-on under its data dir, at most
 * `keep` of them (the oldest go first); restore replaces the database's objects with the dump's.
 */
export class PgBackups {
  constructor(private readonly o: { dir: string; keep: number; timeoutMs: number }) {}

  async list(addonId: string): Promise<BackupInfo[]> {
    const dir = join(this.o.dir, addonId);
    const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.dump') && backupId.test(n.slice(0, -5))).sort();
    return Promise.all(
      names.map(async (n) => {
        const s = await stat(join(dir, n));
        return { id: n.slice(0, -5), bytes: s.size, created_at: s.mtime };
      }),
    );
  }

  async capture(addonId: string, server: AddonServer, database: string): Promise<BackupInfo> {
    const dir = join(this.o.dir, addonId);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const existing = await this.list(addonId);
    const next = existing.length ? Number(existing.at(-1)!.id.slice(1)) + 1 : 1;
    const id = `b${String(next).padStart(3, '0')}`;
    const tmp = join(dir, `.${id}.partial`);
    try {
      await run('pg_dump', ['--format=custom', '--no-owner', '--no-acl', `--file=${tmp}`], pgEnv(server, database), this.o.timeoutMs);
      await rename(tmp, join(dir, `${id}.dump`));
    } finally {
      await rm(tmp, { force: true });
    }
    for (const old of existing.slice(0, Math.max(0, existing.length + 1 - this.o.keep))) await rm(join(dir, `${old.id}.dump`), { force: true });
    return (await this.list(addonId)).find((b) => b.id === id)!;
  }

  async restore(addonId: string, backup: string, server: AddonServer, database: string): Promise<void> {
    const file = await this.file(addonId, backup);
    await run(
      'pg_restore',
      ['--clean', '--if-exists', '--no-owner', '--no-acl', `--role=${database}`, '--single-transaction', `--dbname=${database}`, file],
      pgEnv(server, database),
      this.o.timeoutMs,
    );
  }

  /** The path of a backup, or 404. */
  async file(addonId: string, backup: string): Promise<string> {
    if (!backupId.test(backup) || !(await this.list(addonId)).some((b) => b.id === backup)) {
      throw new AppError('backup_not_found', `there is no backup ${backup}: see paas pg:backups`);
    }
    return join(this.o.dir, addonId, `${backup}.dump`);
  }

  async forget(addonId: string): Promise<void> {
    await rm(join(this.o.dir, addonId), { recursive: true, force: true });
  }
}
