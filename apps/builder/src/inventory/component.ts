/** Where a component of an image was found: one package of one ecosystem. */
export type Ecosystem = 'deb' | 'npm' | 'pypi' | 'golang' | 'runtime';

export interface InventoryComponent {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /** Licence names or SPDX expressions, as the package declares them. */
  licenses: string[];
  /** The file it was read from, relative to the image's root. */
  path: string;
  /** The layer holding that file: its diff id (`sha256:…`), or its position when the engine gave none. */
  layer: string;
  /** Debian: the source package and its version (what Debian's advisories name). */
  source?: { name: string; version: string };
  /** npm components read from a lockfile only (not installed under node_modules). */
  fromLockfile?: boolean;
}

/** What an image is made of. */
export interface Inventory {
  components: InventoryComponent[];
  /** The image's distribution (`/etc/os-release`): e.g. `{ id: 'debian', versionId: '12', codename: 'bookworm' }`. */
  os?: { id: string; versionId?: string; codename?: string };
  layers: string[];
}

/** The package URL of a component (https://github.com/package-url/purl-spec). */
export function purlOf(c: Pick<InventoryComponent, 'ecosystem' | 'name' | 'version'>, os?: Inventory['os']): string {
  const v = encodeURIComponent(c.version);
  switch (c.ecosystem) {
    case 'deb': {
      const distro = os?.versionId ? `?distro=${encodeURIComponent(`${os.id}-${os.versionId}`)}` : '';
      return `pkg:deb/${encodeURIComponent(os?.id ?? 'debian')}/${encodeURIComponent(c.name)}@${v}${distro}`;
    }
    case 'npm': {
      const scoped = c.name.startsWith('@') ? c.name.split('/') : undefined;
      const name = scoped && scoped.length === 2 ? `${encodeURIComponent(scoped[0]!)}/${encodeURIComponent(scoped[1]!)}` : encodeURIComponent(c.name);
      return `pkg:npm/${name}@${v}`;
    }
    case 'pypi':
      return `pkg:pypi/${encodeURIComponent(c.name.toLowerCase().replace(/[-_.]+/g, '-'))}@${v}`;
    case 'golang':
      return `pkg:golang/${c.name.split('/').map(encodeURIComponent).join('/')}@${v}`;
    case 'runtime':
      return `pkg:generic/${encodeURIComponent(c.name)}@${v}`;
  }
}

/** A one-line count per ecosystem, for the build output. */
export function inventorySummary(inv: Inventory): string {
  const count = (e: Ecosystem): number => inv.components.filter((c) => c.ecosystem === e).length;
  const runtimes = inv.components.filter((c) => c.ecosystem === 'runtime').map((c) => `${c.name} ${c.version}`);
  return `${count('deb')} Debian packages, ${count('npm')} npm packages, ${count('pypi')} Python, ${count('golang')} Go${runtimes.length > 0 ? ` (runtime: ${runtimes.join(', ')})` : ''}`;
}
