import type { Inventory, InventoryComponent } from './component.js';
import type { FoundFile, LayerFindings } from './layer-scan.js';

/**
 * The image's inventory from its layers' findings, lowest layer first: a later layer's file replaces
 * the same path below, its whiteouts and opaque directories hide what is below, and every component
 * names the layer its file came from.
 */
export function mergeLayers(layers: { id: string; findings: LayerFindings }[]): Inventory {
  const files = new Map<string, { file: FoundFile; layer: string }>();
  for (const { id, findings } of layers) {
    const hidden = [...findings.whiteouts, ...findings.opaque];
    if (hidden.length > 0) {
      for (const path of [...files.keys()]) {
        if (hidden.some((h) => h === '' || path === h || path.startsWith(`${h}/`))) files.delete(path);
      }
    }
    for (const [path, file] of findings.files) files.set(path, { file, layer: id });
  }

  const components: InventoryComponent[] = [];
  let os: Inventory['os'];
  const copyright = new Map<string, string[]>();
  for (const [path, { file }] of files) {
    if (file.kind === 'copyright') copyright.set(path.split('/')[3]!, file.licenses);
    if (file.kind === 'os-release' && (os === undefined || path === 'etc/os-release')) os = file.os;
  }
  const installedNpm = new Set<string>();
  const sorted = [...files.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [path, { file, layer }] of sorted) {
    switch (file.kind) {
      case 'dpkg':
        for (const p of file.packages) {
          components.push({ ecosystem: 'deb', name: p.name, version: p.version, licenses: copyright.get(p.name) ?? [], path, layer, source: p.source });
        }
        break;
      case 'npm-package':
        installedNpm.add(`${file.pkg.name}@${file.pkg.version}`);
        components.push({ ecosystem: 'npm', name: file.pkg.name, version: file.pkg.version, licenses: file.pkg.licenses, path, layer });
        break;
      case 'python':
        components.push({ ecosystem: 'pypi', name: file.pkg.name, version: file.pkg.version, licenses: file.pkg.licenses, path, layer });
        break;
      case 'node-runtime':
        components.push({ ecosystem: 'runtime', name: 'node', version: file.version, licenses: ['MIT'], path, layer });
        break;
      case 'go': {
        const { info } = file;
        components.push({ ecosystem: 'golang', name: 'stdlib', version: info.goVersion.replace(/^go/, '').split(' ')[0]!, licenses: ['BSD-3-Clause'], path, layer });
        if (info.main && info.main.version !== '(devel)') components.push({ ecosystem: 'golang', name: info.main.path, version: info.main.version, licenses: [], path, layer });
        for (const d of info.deps) {
          const m = d.replace ?? d;
          if (m.version !== '(devel)') components.push({ ecosystem: 'golang', name: m.path, version: m.version, licenses: [], path, layer });
        }
        break;
      }
      default:
        break;
    }
  }
  // Lockfiles add what they name that is not installed under node_modules (development
  // dependencies, which were pruned, excepted).
  const seenLock = new Set<string>();
  for (const [path, { file, layer }] of sorted) {
    if (file.kind !== 'npm-lock') continue;
    for (const p of file.packages) {
      const key = `${p.name}@${p.version}`;
      if (p.dev || installedNpm.has(key) || seenLock.has(key)) continue;
      seenLock.add(key);
      components.push({ ecosystem: 'npm', name: p.name, version: p.version, licenses: p.licenses, path, layer, fromLockfile: true });
    }
  }
  return { components, layers: layers.map((l) => l.id), ...(os ? { os } : {}) };
}
