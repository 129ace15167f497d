import type { ArchiveFile } from './docker-archive.js';

const validName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * An app's config vars as ENV_DIR files (file name = key, content = value). Keys that are not
 * variable names are left out: they could not be exported, and must never become paths.
 */
export function configVarFiles(env: Record<string, string>): { files: ArchiveFile[]; skipped: string[] } {
  const files: ArchiveFile[] = [];
  const skipped: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (validName.test(key)) files.push({ name: key, content: value, mode: 0o600 });
    else skipped.push(key);
  }
  return { files, skipped };
}
