import type { CycloneDxDocument, SpdxDocument } from '@paas/shared/api-contract';

type CdxLicense = { license?: { id?: string; name?: string }; expression?: string };

/** An SPDX license expression from CycloneDX licences, when every one is an SPDX id or expression. */
function spdxLicense(licenses: CdxLicense[] | undefined): string {
  if (!licenses || licenses.length === 0) return 'NOASSERTION';
  const parts = licenses.map((l) => l.expression ?? l.license?.id);
  if (parts.some((p) => p === undefined)) return 'NOASSERTION';
  return parts.length === 1 ? parts[0]! : parts.map((p) => (/\s/.test(p!) ? `(${p})` : p)).join(' AND ');
}

/**
 * A paas CycloneDX document as SPDX 2.3 JSON: the image is the described package, which CONTAINS a
 * package per component (its purl as a PACKAGE-MANAGER reference, its layer and path in the comment).
 * Named licences that are not SPDX identifiers become NOASSERTION.
 */
export function cycloneDxToSpdx(cdx: CycloneDxDocument, o: { app: string; buildId: string; created?: string }): SpdxDocument {
  const prop = (props: { name: string; value: string }[] | undefined, name: string): string | undefined => props?.find((p) => p.name === name)?.value;
  const created = o.created ?? (typeof cdx.metadata.timestamp === 'string' ? cdx.metadata.timestamp : new Date().toISOString());
  const image = cdx.metadata.component as { name?: string; version?: string; properties?: { name: string; value: string }[] } | undefined;
  const packages: SpdxDocument['packages'] = [
    {
      SPDXID: 'SPDXRef-Image',
      name: image?.name ?? o.app,
      ...(image?.version ? { versionInfo: image.version } : {}),
      downloadLocation: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      licenseConcluded: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      filesAnalyzed: false,
      ...(prop(image?.properties, 'paas:image') ? { comment: `image ${prop(image?.properties, 'paas:image')}` } : {}),
    },
  ];
  const relationships: SpdxDocument['relationships'] = [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image' }];
  cdx.components.forEach((c, i) => {
    const id = `SPDXRef-Package-${i + 1}`;
    const layer = prop(c.properties, 'paas:layer');
    const path = prop(c.properties, 'paas:path');
    packages.push({
      SPDXID: id,
      name: c.group ? `${c.group}/${c.name}` : c.name,
      ...(c.version ? { versionInfo: c.version } : {}),
      downloadLocation: 'NOASSERTION',
      licenseDeclared: spdxLicense(c.licenses as CdxLicense[] | undefined),
      licenseConcluded: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      filesAnalyzed: false,
      ...(c.purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: c.purl }] } : {}),
      ...(layer || path ? { comment: [layer && `layer ${layer}`, path && `path /${path}`].filter(Boolean).join(', ') } : {}),
    });
    relationships.push({ spdxElementId: 'SPDXRef-Image', relationshipType: 'CONTAINS', relatedSpdxElement: id });
  });
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${o.app}-${o.buildId}`,
    documentNamespace: `https://paas.localhost/spdx/${encodeURIComponent(o.app)}/${o.buildId}`,
    creationInfo: { created: created.replace(/\.\d+Z$/, 'Z'), creators: ['Tool: paas'] },
    packages,
    relationships,
  };
}
