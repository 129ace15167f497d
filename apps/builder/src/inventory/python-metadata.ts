
export interface PythonPackage {
  name: string;
  version: string;
  licenses: string[];
}

/**
 * A `*.dist-info/METADATA` (or `*.egg-info/PKG-INFO`) file: its header's Name, Version, and the
 * licence from `License-Expression`, `License` (when short: some paste the whole text) or the
 * `License ::` classifiers.
 */
export function parsePythonMetadata(text: string): PythonPackage | undefined {
  const header = text.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const fields = new Map<string, string[]>();
  // Repeated fields (Classifier) keep every value; parseStanzas keeps the last, so collect by hand.
  let last: string | undefined;
  for (const line of header.split(/\r?\n/)) {
    if (/^\s/.test(line) && last) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    fields.set(last, [...(fields.get(last) ?? []), line.slice(colon + 1).trim()]);
  }
  const name = fields.get('name')?.[0];
  const version = fields.get('version')?.[0];
  if (!name || !version || name.length > 200 || version.length > 100) return undefined;
  const licenses = new Set<string>();
  for (const e of fields.get('license-expression') ?? []) if (e) licenses.add(e);
  if (licenses.size === 0) {
    for (const l of fields.get('license') ?? []) if (l && l.length <= 100 && l.toUpperCase() !== 'UNKNOWN') licenses.add(l);
  }
  if (licenses.size === 0) {
    for (const c of fields.get('classifier') ?? []) {
      const m = /^License :: (?:OSI Approved :: )?(.+)$/.exec(c);
      if (m && m[1] !== 'OSI Approved') licenses.add(m[1]!);
    }
  }
  return { name, version, licenses: [...licenses] };
}
