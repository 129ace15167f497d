import { Enums, Models, Serialize, Spec, SPDX } from '@cyclonedx/cyclonedx-library';
import { purlOf, type Inventory, type InventoryComponent } from './component.js';

export interface SbomSubject {
  app: string;
  /** The image reference, e.g. `paas/shop:b-1a2b3c4d`. */
  image: string;
  buildId: string;
  commit: string;
}

const ecosystemType: Record<InventoryComponent['ecosystem'], Enums.ComponentType> = {
  deb: Enums.ComponentType.Library,
  npm: Enums.ComponentType.Library,
  pypi: Enums.ComponentType.Library,
  golang: Enums.ComponentType.Library,
  runtime: Enums.ComponentType.Platform,
};

function licenseOf(name: string): Models.License {
  if (SPDX.isSupportedSpdxId(name)) return new Models.SpdxLicense(name);
  if (/\s(AND|OR|WITH)\s/.test(name) && /^[A-Za-z0-9.+\-() ]+$/.test(name)) return new Models.LicenseExpression(name);
  return new Models.NamedLicense(name);
}

/**
 * The inventory as a CycloneDX 1.6 JSON document: one component per package, with its package URL,
 * licences, and properties saying where it was found (`paas:layer`, `paas:path`) and, for Debian
 * packages, their source package (`paas:deb:source`, which Debian's advisories name).
 */
export function toCycloneDx(inv: Inventory, subject: SbomSubject, now = new Date()): string {
  const bom = new Models.Bom();
  bom.metadata.timestamp = now;
  bom.metadata.component = new Models.Component(Enums.ComponentType.Container, subject.app, {
    version: subject.commit.slice(0, 12),
    bomRef: 'paas-image',
    properties: new Models.PropertyRepository([new Models.Property('paas:image', subject.image), new Models.Property('paas:build', subject.buildId)]),
  });
  if (inv.os) {
    bom.metadata.properties.add(new Models.Property('paas:os', `${inv.os.id}${inv.os.versionId ? ` ${inv.os.versionId}` : ''}${inv.os.codename ? ` ${inv.os.codename}` : ''}`));
  }
  const refs = new Set<string>();
  for (const c of inv.components) {
    const purl = purlOf(c, inv.os);
    let ref = purl;
    for (let i = 2; refs.has(ref); i++) ref = `${purl}#${i}`;
    refs.add(ref);
    const props = [new Models.Property('paas:layer', c.layer), new Models.Property('paas:path', c.path), new Models.Property('paas:ecosystem', c.ecosystem)];
    if (c.source) props.push(new Models.Property('paas:deb:source', `${c.source.name} ${c.source.version}`));
    if (c.fromLockfile) props.push(new Models.Property('paas:lockfile-only', 'true'));
    const scoped = c.ecosystem === 'npm' && c.name.startsWith('@') ? c.name.split('/') : undefined;
    bom.components.add(
      new Models.Component(ecosystemType[c.ecosystem], scoped?.[1] ?? c.name, {
        ...(scoped ? { group: scoped[0] } : {}),
        version: c.version,
        purl,
        bomRef: ref,
        licenses: new Models.LicenseRepository(c.licenses.map(licenseOf)),
        properties: new Models.PropertyRepository(props),
      }),
    );
  }
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: false });
}
