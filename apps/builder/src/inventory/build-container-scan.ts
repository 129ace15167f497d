import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import type Docker from 'dockerode';
import { runExec } from '../docker-exec.js';
import { nodeVersionsPath, scanLayer, type LayerFindings } from './layer-scan.js';

const listPath = '/tmp/paas-inventory.tar';

/**
 * Run as the build's user in a build container once /app is complete: a tar of only the files the
 * inventory reads (npm manifests and lockfiles, Python metadata, Node's version header, and
 * executables that carry Go build info), so the slug's packages are read without exporting /app;
 * with the version of each Node.js binary under /app (buildpacks ship no headers).
 */
export const inventoryScript = `
set -eu
cd /
find app -path '*/bin/node' -type f -perm /111 | while read -r f; do
  v=$(timeout 10 "$f" --version 2>/dev/null | head -c 40) && printf '%s %s\\n' "$f" "$v" || true
done >/${nodeVersionsPath}
{ printf '%s\\0' ${nodeVersionsPath}
  find app \\( -path '*/node_modules/*/package.json' -o -name package-lock.json -o -name npm-shrinkwrap.json \\
    -o -name yarn.lock -o -name pnpm-lock.yaml -o -path '*-packages/*.dist-info/METADATA' \\
    -o -path '*/include/node/node_version.h' \\) -type f -print0
  find app -type f -perm /111 -size +64k -print0 | xargs -0 -r grep -laZF 'Go buildinf:' || true
} | tar --null --no-recursion --ignore-failed-read -cf ${listPath} -T -
`;

/** The findings of the build container's /app (paths `app/…`). */
export async function scanBuildContainer(container: Docker.Container): Promise<LayerFindings> {
  const res = await runExec(container, { cmd: ['bash', '-c', inventoryScript], user: 'paas', captureStdout: true });
  if (res.exitCode !== 0) throw new Error(`listing the slug's packages exited with ${res.exitCode}`);
  const outer = (await container.getArchive({ path: listPath })) as unknown as Readable;
  const ex = extract();
  outer.on('error', (err) => ex.destroy(err));
  outer.pipe(ex);
  let findings: LayerFindings | undefined;
  for await (const entry of ex) {
    if (findings === undefined && entry.header.type === 'file') findings = await scanLayer(entry as unknown as Readable);
    else entry.resume();
  }
  const found = findings ?? { files: new Map(), whiteouts: [], opaque: [] };
  // Each Node.js binary becomes a runtime found at its own path (and so in its own layer).
  const versions = found.files.get(nodeVersionsPath);
  found.files.delete(nodeVersionsPath);
  if (versions?.kind === 'node-versions') for (const b of versions.binaries) found.files.set(b.path, { kind: 'node-runtime', version: b.version });
  return found;
}
