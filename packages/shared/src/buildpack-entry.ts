import { AppError } from './errors.js';

/** The buildpacks that ship with paas, by name (their detection order lives in the builder). */
export const builtInBuildpackNames = ['nodejs', 'python', 'go', 'static'] as const;

/** One buildpack as an app names it: a built-in one, or a git repository (and a ref in it). */
export type BuildpackEntry = { kind: 'builtin'; name: string } | { kind: 'git'; url: string; ref: string | undefined };

const gitUrl = /^(https?|git|file):\/\/[^\s#]+$/;
const refPattern = /^[A-Za-z0-9._/][A-Za-z0-9._/-]{0,199}$/;

/**
 * Reads a buildpack as an app gives it (`paas buildpacks:set`, `.buildpacks`, BUILDPACK_URL): a
 * built-in name (`nodejs`, or Heroku's `heroku/nodejs`) or a git URL (https, http, git or file) with
 * an optional `#branch`, `#tag` or `#commit`. Anything else is `invalid_params`.
 */
export function parseBuildpackEntry(entry: string): BuildpackEntry {
  const text = entry.trim();
  const name = text.replace(/^heroku\//, '');
  if ((builtInBuildpackNames as readonly string[]).includes(name)) return { kind: 'builtin', name };
  const hash = text.indexOf('#');
  const url = hash === -1 ? text : text.slice(0, hash);
  const ref = hash === -1 ? undefined : text.slice(hash + 1);
  if (!gitUrl.test(url)) {
    throw new AppError(
      'invalid_params',
      `Unknown buildpack "${text}": give a built-in buildpack (${builtInBuildpackNames.join(', ')}) a git URL (https://, http://, git:// or file://, optionally with #ref) or a tarball URL (.tgz, .tar.gz)`,
    );
  }
  if (ref !== undefined && ref !== '' && (!refPattern.test(ref) || ref.includes('..'))) {
    throw new AppError('invalid_params', `Buildpack "${text}": "${ref}" is not a branch, tag or commit`);
  }
  return { kind: 'git', url, ref: ref === '' ? undefined : ref };
}
