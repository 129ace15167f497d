// Tests' SBOMs: gzipped CycloneDX documents shaped as the builder makes them (apps/builder/src/inventory/cyclonedx.ts).
import { gzipSync } from 'node:zlib';

export interface TestComponent {
  ecosystem: 'deb' | 'npm' | 'pypi' | 'golang' | 'runtime';
  name: string;
  version: string;
  /** Debian: `source version`. */
  source?: string;
  license?: string;
}

export function testSbomDocument(components: TestComponent[], os = 'debian 12 bookworm'): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { timestamp: '2026-01-01T00:00:00.000Z', component: { type: 'container', name: 'app', 'bom-ref': 'paas-image' }, properties: [{ name: 'paas:os', value: os }] },
    components: components.map((c, i) => ({
      type: c.ecosystem === 'runtime' ? 'platform' : 'library',
      ...(c.name.startsWith('@') ? { group: c.name.split('/')[0], name: c.name.split('/')[1] } : { name: c.name }),
      version: c.version,
      purl: `pkg:${c.ecosystem}/${c.name}@${c.version}`,
      'bom-ref': `c${i}`,
      licenses: c.license ? [{ license: { id: c.license } }] : [],
      properties: [
        { name: 'paas:layer', value: 'sha256:abc' },
        { name: 'paas:path', value: `app/node_modules/${c.name}/package.json` },
        { name: 'paas:ecosystem', value: c.ecosystem },
        ...(c.source ? [{ name: 'paas:deb:source', value: c.source }] : []),
      ],
    })),
  };
}

export function testSbom(components: TestComponent[], os?: string): Buffer {
  return gzipSync(JSON.stringify(testSbomDocument(components, os)));
}
