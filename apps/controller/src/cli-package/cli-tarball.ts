import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` leaves the CLI package (scripts/cli-package.mjs): apps/cli/pack/paas-cli.tgz. */
export const defaultCliTarball = fileURLToPath(new URL('../../../cli/pack/paas-cli.tgz', import.meta.url));

export interface CliTarball {
  bytes: Buffer;
  /** A strong ETag: the SHA-256 of the bytes. */
  etag: string;
  mtime: Date;
}

/**
 * The CLI package the controller serves at /cli/paas-cli.tgz, read once and read again only when the
 * file changes (a rebuild replaces it): a few hundred kilobytes at most, so it is kept in memory.
 * Undefined while no package has been built.
 */
export class CliTarballFile {
  private cached: { key: string; value: CliTarball } | undefined;

  constructor(readonly path: string = defaultCliTarball) {}

  async read(): Promise<CliTarball | undefined> {
    const s = await stat(this.path).catch(() => undefined);
    if (!s?.isFile()) return undefined;
    const key = `${s.size}:${s.mtimeMs}:${s.ino}`;
    if (this.cached?.key !== key) {
      const bytes = await readFile(this.path);
      this.cached = { key, value: { bytes, etag: `"${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}"`, mtime: s.mtime } };
    }
    return this.cached.value;
  }
}
