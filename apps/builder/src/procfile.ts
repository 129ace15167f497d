import type { ProcessTypes } from '@paas/shared';

const entry = /^([A-Za-z0-9_-]+):\s*(.*?)\s*$/;

/**
 * Parses a Procfile: one `type: command` a line, Heroku's format. Blank lines and `#` comments are
 * skipped, and so are malformed lines; a later line for the same type wins.
 */
export function parseProcfile(text: string): ProcessTypes {
  const types: ProcessTypes = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = entry.exec(line);
    if (!m || m[2] === '') continue;
    types[m[1]!] = m[2]!;
  }
  return types;
}
