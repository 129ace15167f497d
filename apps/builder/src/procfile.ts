import type { ProcessTypes } from '@paas/shared';
import { AppError } from '@paas/shared';

const entry = /^([A-Za-z0-9_-]+):\s*(.*?)\s*$/;

/**
 * Parses a Procfile: one `type: command` a line, Heroku's format. Blank lines and `#` comments are
 * skipped; a later line for the same type wins. A line that is not `type: command` is a build
 * failure naming the line and what is wrong with it.
 */
export function parseProcfile(text: string): ProcessTypes {
  const types: ProcessTypes = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = entry.exec(line);
    if (!m) throw malformed(i + 1, line, /^[^:]+:/.test(line) ? 'the process type may only have letters, digits, "-" and "_"' : 'expected "type: command"');
    if (m[2] === '') throw malformed(i + 1, line, `the process type "${m[1]}" has no command`);
    types[m[1]!] = m[2]!;
  });
  return types;
}

function malformed(lineNumber: number, line: string, reason: string): AppError {
  const shown = line.length > 80 ? `${line.slice(0, 77)}...` : line;
  return new AppError('build_failed', `Procfile line ${lineNumber} is malformed: ${reason} (${JSON.stringify(shown)})`, {
    details: { step: 'Procfile', line: lineNumber },
  });
}
