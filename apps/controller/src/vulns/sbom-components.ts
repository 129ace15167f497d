import { gunzipSync } from 'node:zlib';

/** A component as matched against advisories (build_components' row). */
export interface StoredComponent {
  /** OSV's ecosystem name (`npm`, `PyPI`, `Go`, `Debian:12`), or `runtime`/`Debian` when unmatched. */
  ecosystem: string;
  /** The name advisories use: a Debian package's source package, a PyPI name normalised. */
  name: string;
  version: string;
  /** The installed package and its version. */
  package: string;
  installed: string;
  layer: string;
  path: string;
}

/** PEP 503's normal form of a Python package name: advisories and images may spell it differently. */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

interface CdxComponent {
  name?: unknown;
  group?: unknown;
  version?: unknown;
  properties?: { name?: unknown; value?: unknown }[];
}

/** The gzipped CycloneDX document a builder made, as JSON text (bounded: a bigger one is refused). */
export function openSbom(gzipped: Buffer, maxBytes = 256 << 20): string {
  return gunzipSync(gzipped, { maxOutputLength: maxBytes }).toString('utf8');
}

/** The components of a paas CycloneDX document, named as advisories name them. */
export function componentsOfCycloneDx(doc: unknown): StoredComponent[] {
  const bom = doc as { metadata?: { properties?: { name?: unknown; value?: unknown }[] }; components?: CdxComponent[] };
  const osProp = bom.metadata?.properties?.find((p) => p.name === 'paas:os')?.value;
  const [osId, osVersion] = typeof osProp === 'string' ? osProp.split(' ') : [];
  const debianEcosystem = osId === 'debian' && osVersion ? `Debian:${osVersion.split('.')[0]}` : 'Debian';
  const out: StoredComponent[] = [];
  for (const c of Array.isArray(bom.components) ? bom.components : []) {
    if (typeof c.name !== 'string' || typeof c.version !== 'string') continue;
    const prop = (n: string): string | undefined => {
      const v = c.properties?.find((p) => p.name === n)?.value;
      return typeof v === 'string' ? v : undefined;
    };
    const kind = prop('paas:ecosystem');
    const name = typeof c.group === 'string' && c.group ? `${c.group}/${c.name}` : c.name;
    const base = { package: name, installed: c.version, layer: prop('paas:layer') ?? '', path: prop('paas:path') ?? '' };
    switch (kind) {
      case 'deb': {
        const [srcName, srcVersion] = (prop('paas:deb:source') ?? '').split(' ');
        out.push({ ...base, ecosystem: debianEcosystem, name: srcName || name, version: srcVersion || c.version });
        break;
      }
      case 'npm':
        out.push({ ...base, ecosystem: 'npm', name, version: c.version });
        break;
      case 'pypi':
        out.push({ ...base, ecosystem: 'PyPI', name: normalisePypiName(name), version: c.version });
        break;
      case 'golang':
        out.push({ ...base, ecosystem: 'Go', name, version: c.version });
        break;
      default:
        out.push({ ...base, ecosystem: 'runtime', name, version: c.version });
    }
  }
  return out;
}
