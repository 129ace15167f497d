import { parse as parseYaml } from 'yaml';

export interface NpmPackage {
  name: string;
  version: string;
  licenses: string[];
  /** Listed as a development dependency (a lockfile said so). */
  dev?: boolean;
}

const validName = /^(@[a-z0-9._~-]+\/)?[a-z0-9._~-][a-z0-9._~-]*$/i;

function licensesOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(licensesOf);
  if (v && typeof v === 'object' && typeof (v as { type?: unknown }).type === 'string') return [(v as { type: string }).type];
  return [];
}

function pkg(name: unknown, version: unknown, extra: Partial<NpmPackage> = {}): NpmPackage | undefined {
  if (typeof name !== 'string' || typeof version !== 'string' || !validName.test(name) || name.length > 214) return undefined;
  if (!/^\d+\.\d+\.\d+/.test(version) || version.length > 256) return undefined;
  return { name, version, licenses: [], ...extra };
}

/** A `node_modules/<name>/package.json`: the installed package, its version and licence. */
export function parsePackageJson(text: string): NpmPackage | undefined {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const p = pkg(json['name'], json['version']);
  if (!p) return undefined;
  p.licenses = [...new Set([...licensesOf(json['license']), ...licensesOf(json['licenses'])])];
  return p;
}

/** The name a lockfile's `node_modules/a/node_modules/@s/b` key installs: `@s/b`. */
function nameFromPath(path: string): string {
  const at = path.lastIndexOf('node_modules/');
  return at < 0 ? path : path.slice(at + 'node_modules/'.length);
}

/** package-lock.json (and npm-shrinkwrap.json), lockfile versions 1, 2 and 3. */
export function parsePackageLock(text: string): NpmPackage[] {
  let json: { packages?: Record<string, Record<string, unknown>>; dependencies?: Record<string, Record<string, unknown>> };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return [];
  }
  const out: NpmPackage[] = [];
  if (json.packages && typeof json.packages === 'object') {
    for (const [path, entry] of Object.entries(json.packages)) {
      if (path === '' || !entry || typeof entry !== 'object' || entry['link'] === true) continue;
      const name = typeof entry['name'] === 'string' ? entry['name'] : nameFromPath(path);
      const p = pkg(name, entry['version'], { licenses: licensesOf(entry['license']), ...(entry['dev'] === true ? { dev: true } : {}) });
      if (p) out.push(p);
    }
    return out;
  }
  // v1: a tree of `dependencies`, each possibly with its own nested `dependencies`.
  const walk = (deps: Record<string, Record<string, unknown>> | undefined, depth: number): void => {
    if (!deps || typeof deps !== 'object' || depth > 64) return;
    for (const [name, entry] of Object.entries(deps)) {
      if (!entry || typeof entry !== 'object') continue;
      const p = pkg(name, entry['version'], entry['dev'] === true ? { dev: true } : {});
      if (p) out.push(p);
      walk(entry['dependencies'] as Record<string, Record<string, unknown>> | undefined, depth + 1);
    }
  };
  walk(json.dependencies, 0);
  return out;
}

/** yarn.lock: Yarn 1's format and Yarn 2+'s (YAML) alike; each entry's name is before its last `@` range. */
export function parseYarnLock(text: string): NpmPackage[] {
  const out: NpmPackage[] = [];
  let names: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!line.startsWith(' ')) {
      names = line
        .replace(/:\s*$/, '')
        .split(',')
        .map((s) => s.trim().replace(/^"|"$/g, ''))
        .map((spec) => spec.slice(0, spec.indexOf('@', 1) > 0 ? spec.indexOf('@', 1) : spec.length))
        .filter((n) => n !== '__metadata');
      continue;
    }
    const m = /^\s+version:?\s+"?([^"\s]+)"?\s*$/.exec(line);
    if (m && names.length > 0) {
      // Yarn 2+ lists the project itself (and workspaces) with a version like 0.0.0-use.local.
      for (const name of new Set(names)) {
        const p = pkg(name, m[1]);
        if (p && !m[1]!.includes('use.local')) out.push(p);
      }
      names = [];
    }
  }
  return out;
}

/** pnpm-lock.yaml: lockfile 5 (`/name/1.0.0`), 6 (`/name@1.0.0`) and 9 (`name@1.0.0`, with `snapshots`). */
export function parsePnpmLock(text: string): NpmPackage[] {
  let doc: { packages?: Record<string, Record<string, unknown> | null> };
  try {
    doc = parseYaml(text, { maxAliasCount: 100 }) as typeof doc;
  } catch {
    return [];
  }
  const out: NpmPackage[] = [];
  if (!doc || typeof doc !== 'object' || !doc.packages || typeof doc.packages !== 'object') return out;
  for (const [key, entry] of Object.entries(doc.packages)) {
    const bare = key.replace(/^\//, '').replace(/\(.*$/, '');
    let name: string | undefined;
    let version: string | undefined;
    const at = bare.indexOf('@', 1);
    if (at > 0) {
      name = bare.slice(0, at);
      version = bare.slice(at + 1);
    } else {
      const slash = bare.lastIndexOf('/');
      name = bare.slice(0, slash);
      version = bare.slice(slash + 1);
    }
    const p = pkg(entry?.['name'] ?? name, entry?.['version'] ?? version, entry?.['dev'] === true ? { dev: true } : {});
    if (p) out.push(p);
  }
  return out;
}

/** The Node.js version an installed runtime's `include/node/node_version.h` declares. */
export function parseNodeVersionHeader(text: string): string | undefined {
  const part = (n: string): string | undefined => new RegExp(`^#define NODE_${n}_VERSION (\\d+)`, 'm').exec(text)?.[1];
  const [major, minor, patch] = [part('MAJOR'), part('MINOR'), part('PATCH')];
  return major && minor && patch ? `${major}.${minor}.${patch}` : undefined;
}
