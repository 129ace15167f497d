import type { EgressUse } from './egress-guard.js';
import { AppError } from './errors.js';

/** The buildpacks that ship with paas, by name (their detection order lives in the builder). */
export const builtInBuildpackNames = ['nodejs', 'python', 'go', 'static'] as const;

/** One buildpack as an app names it: a built-in one, or a git repository (and a ref in it). */
export type BuildpackEntry = { kind: 'builtin'; name: string } | { kind: 'git'; url: string; ref: string | undefined };

const gitUrl = /^(https|file):\/\/[^\s#]+$/;
const refPattern = /^[A-Za-z0-9._/][A-Za-z0-9._/-]{0,199}$/;

export const buildpackUrlRule = 'buildpack URLs are https:// git repositories (optionally #branch, #tag or #commit) or tarballs (.tgz, .tar.gz, .tar), with no credentials in them';

/** What the egress guard accepts for a buildpack URL; `file:` only where the operator allows it. */
export const buildpackEgressUse: EgressUse = { field: 'buildpack', schemes: ['https:', 'file:'], rule: buildpackUrlRule };

/**
 * Heroku's names for the buildpacks paas ships, as Heroku's own tools write them: the registry
 * names (`heroku/nodejs`, `heroku/python`, `heroku/go`, and the community static buildpack
 * `heroku-community/static`) and the GitHub repositories they come from
 * (`https://github.com/heroku/heroku-buildpack-nodejs`, with or without `.git`, a trailing slash or
 * a `#ref`: the built-in is used, nothing is fetched). Returns the built-in's name, or undefined.
 */
export function herokuBuildpackAlias(entry: string): string | undefined {
  const text = entry.trim();
  const known = (name: string | undefined): string | undefined => (name !== undefined && (builtInBuildpackNames as readonly string[]).includes(name.toLowerCase()) ? name.toLowerCase() : undefined);
  if ((builtInBuildpackNames as readonly string[]).includes(text)) return text;
  const registry = /^(?:heroku|heroku-community)\/([a-z]+)$/i.exec(text);
  if (registry) return known(registry[1]);
  const github = /^(?:https?|git):\/\/(?:www\.)?github\.com\/heroku\/heroku-buildpack-([a-z]+)(?:\.git)?\/?(?:#[^\s]*)?$/i.exec(text);
  if (github) return known(github[1]);
  return undefined;
}

/**
 * Reads a buildpack as an app gives it (`paas buildpacks:set`, `.buildpacks`, BUILDPACK_URL): a
 * built-in name (`nodejs`, or Heroku's `heroku/nodejs`, `heroku-community/static` or GitHub URL: see
 * herokuBuildpackAlias) or an https git or tarball URL (`file:`
 * where the operator allows it, which the egress guard decides) with an optional `#branch`, `#tag`
 * or `#commit`. Plain http, git://, and credentials in the URL are refused. Anything else is `invalid_params`.
 */
export function parseBuildpackEntry(entry: string): BuildpackEntry {
  const text = entry.trim();
  const builtin = herokuBuildpackAlias(text);
  if (builtin !== undefined) return { kind: 'builtin', name: builtin };
  const hash = text.indexOf('#');
  const url = hash === -1 ? text : text.slice(0, hash);
  const ref = hash === -1 ? undefined : text.slice(hash + 1);
  if (/^(http|git):\/\//i.test(url)) {
    throw new AppError('invalid_params', `Buildpack "${text}": plain ${url.split(':')[0]}:// is not allowed: the buildpack would cross the network unverified (${buildpackUrlRule})`);
  }
  if (/^[a-z+.-]+:\/\/[^/?#]*@/i.test(url)) {
    throw new AppError('invalid_params', `Buildpack "${text.replace(/\/\/[^/@]*@/, '//***@')}": credentials in a URL are not allowed: they end up in logs (${buildpackUrlRule})`);
  }
  if (!gitUrl.test(url)) {
    throw new AppError(
      'invalid_params',
      `Unknown buildpack "${text}": give a built-in buildpack (${builtInBuildpackNames.join(', ')}) an https:// git URL (optionally with #ref) or an https:// tarball URL (.tgz, .tar.gz)`,
    );
  }
  if (ref !== undefined && ref !== '' && (!refPattern.test(ref) || ref.includes('..'))) {
    throw new AppError('invalid_params', `Buildpack "${text}": "${ref}" is not a branch, tag or commit`);
  }
  return { kind: 'git', url, ref: ref === '' ? undefined : ref };
}
