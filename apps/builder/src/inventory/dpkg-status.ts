/** One stanza of a dpkg status file (RFC 822 style fields; continuation lines start with a space). */
export type Stanza = Map<string, string>;

/** The stanzas of a Debian control-style file (dpkg's status, a status.d file, a METADATA header). */
export function parseStanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza = new Map();
  let last: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (cur.size > 0) out.push(cur);
      cur = new Map();
      last = undefined;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      cur.set(last, `${cur.get(last)}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    cur.set(last, line.slice(colon + 1).trim());
  }
  if (cur.size > 0) out.push(cur);
  return out;
}

export interface DpkgPackage {
  name: string;
  version: string;
  architecture?: string;
  source: { name: string; version: string };
}

/**
 * The installed packages of a dpkg status file (or of a `status.d/` file, as distroless images have
 * them: those carry no Status field and are all installed). `Source: name (version)` names the
 * source package when it differs from the binary's.
 */
export function parseDpkgStatus(text: string, requireStatus = true): DpkgPackage[] {
  const out: DpkgPackage[] = [];
  for (const s of parseStanzas(text)) {
    const name = s.get('package');
    const version = s.get('version');
    if (!name || !version) continue;
    const status = s.get('status');
    if (status !== undefined ? !/\binstalled$/.test(status) || /^\S+ \S+ (config-files|not-installed)/.test(status) : requireStatus) continue;
    const src = /^(\S+)(?:\s+\((\S+)\))?$/.exec(s.get('source') ?? '');
    const arch = s.get('architecture');
    out.push({ name, version, ...(arch ? { architecture: arch } : {}), source: { name: src?.[1] ?? name, version: src?.[2] ?? version } });
  }
  return out;
}

/** The licences a DEP-5 `debian/copyright` file names (`License: …` fields); none for free-form files. */
export function parseDebianCopyright(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/^License:[ \t]*(\S[^\n]*)$/gm)) {
    const name = m[1]!.trim();
    if (name.length <= 100) found.add(name);
    if (found.size >= 20) break;
  }
  return [...found];
}

/** `/etc/os-release`: the distribution's id, version and codename. */
export function parseOsRelease(text: string): { id: string; versionId?: string; codename?: string } | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim());
    if (m) fields.set(m[1]!, m[3]!);
  }
  const id = fields.get('ID');
  if (!id) return undefined;
  const versionId = fields.get('VERSION_ID');
  const codename = fields.get('VERSION_CODENAME');
  return { id, ...(versionId ? { versionId } : {}), ...(codename ? { codename } : {}) };
}
