// The built-in buildpacks each carry their own lib/ (a buildpack is copied into the build container
// on its own), so the helpers they all use (output.sh, env.sh) are copies. A lib file that every
// built-in carries is such a helper, and this keeps its copies identical: change one, copy it to the
// others. (A file of the same name in only some of them, like dependencies.sh, is each one's own.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const buildpacksDir = fileURLToPath(new URL('../../../buildpacks/', import.meta.url));

/** The lib files every built-in buildpack carries, with the buildpacks. */
function sharedLibs(): Map<string, string[]> {
  const holders = new Map<string, string[]>();
  for (const pack of readdirSync(buildpacksDir, { withFileTypes: true })) {
    if (!pack.isDirectory()) continue;
    let libs: string[];
    try {
      libs = readdirSync(join(buildpacksDir, pack.name, 'lib')).filter((f) => f.endsWith('.sh'));
    } catch {
      continue;
    }
    for (const lib of libs) holders.set(lib, [...(holders.get(lib) ?? []), pack.name]);
  }
  const packs = Math.max(...[...holders.values()].map((p) => p.length));
  return new Map([...holders].filter(([, p]) => p.length === packs));
}

test('the lib/*.sh files every built-in buildpack carries are identical copies', () => {
  const shared = sharedLibs();
  for (const lib of ['env.sh', 'output.sh']) assert.ok((shared.get(lib)?.length ?? 0) >= 4, `${lib} is carried by the four built-ins`);
  for (const [lib, packs] of shared) {
    const [first, ...rest] = packs as [string, ...string[]];
    const reference = readFileSync(join(buildpacksDir, first, 'lib', lib), 'utf8');
    for (const pack of rest) {
      const copy = readFileSync(join(buildpacksDir, pack, 'lib', lib), 'utf8');
      assert.equal(copy, reference, `buildpacks/${pack}/lib/${lib} differs from buildpacks/${first}/lib/${lib}: copy the changed one to every buildpack`);
    }
  }
});
