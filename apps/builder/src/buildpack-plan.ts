import { AppError, parseBuildpackEntry } from '@paas/shared';

/** A buildpack that ships with paas (a directory of buildpacks/). */
export interface BuiltInBuildpack {
  kind: 'builtin';
  /** Directory name under the buildpacks dir, and its name in the app's settings. */
  name: string;
  /** What its bin/detect looks for, told to the user when nothing detects. */
  looksFor: string;
}

/** A buildpack given by git URL, e.g. `https://github.com/org/bp.git#v2`. */
export interface GitBuildpack {
  kind: 'git';
  /** The URL without its fragment. */
  url: string;
  /** Branch, tag or commit after `#`; undefined: the repository's default branch. */
  ref: string | undefined;
  /** Directory name under /buildpacks in the build container (from the URL, unique in the plan). */
  name: string;
}

export type BuildpackRef = BuiltInBuildpack | GitBuildpack;

/**
 * The built-in buildpacks, in the order their bin/detect scripts are tried when an app names none.
 * The one place this order lives.
 */
export const builtInBuildpacks: readonly BuiltInBuildpack[] = [
  { kind: 'builtin', name: 'nodejs', looksFor: 'package.json' },
  { kind: 'builtin', name: 'python', looksFor: 'requirements.txt, pyproject.toml, Pipfile or setup.py' },
  { kind: 'builtin', name: 'go', looksFor: 'go.mod' },
  { kind: 'builtin', name: 'static', looksFor: 'index.html or static.json' },
];

/** Where an app's buildpacks came from. */
export type PlanSource = 'app' | 'BUILDPACK_URL' | '.buildpacks' | 'app.json' | 'detect';

/**
 * The buildpacks of one build. `detect`: try each in order and use the first whose bin/detect passes
 * (Heroku's auto-detection). Otherwise every one runs, in order (Heroku's multiple buildpacks), and
 * each must pass its bin/detect.
 */
export interface BuildpackPlan {
  source: PlanSource;
  buildpacks: BuildpackRef[];
}

/**
 * One buildpack as an app names it: a built-in name (`nodejs`, or Heroku's `heroku/nodejs`), or a
 * git URL (https, http, git or file) with an optional `#ref`.
 */
export function parseBuildpack(entry: string, builtIn: readonly BuiltInBuildpack[] = builtInBuildpacks): BuildpackRef {
  const parsed = parseBuildpackEntry(entry);
  if (parsed.kind === 'git') return { ...parsed, name: repoName(parsed.url) };
  const bp = builtIn.find((b) => b.name === parsed.name);
  if (!bp) throw new AppError('invalid_params', `The built-in buildpack "${parsed.name}" is not installed on this builder`);
  return bp;
}

/** `https://github.com/org/heroku-buildpack-x.git` → `heroku-buildpack-x`. */
function repoName(url: string): string {
  const last = url.replace(/\/+$/, '').split('/').pop() ?? '';
  const name = last.replace(/\.(git|tgz|tar\.gz|tar)$/i, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '');
  return name === '' ? 'buildpack' : name.slice(0, 60);
}

/** The entries of a `.buildpacks` file: one URL or name a line; blank lines and `#` comments skipped. */
export function parseBuildpacksFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

export interface PlanInput {
  /** The app's own setting (`paas buildpacks:set`/`:add`). */
  appBuildpacks: readonly string[];
  /** The app's config vars (BUILDPACK_URL, Heroku's older way to name one). */
  env: Record<string, string>;
  /** The source's `.buildpacks` file, when it has one. */
  dotBuildpacks: string | undefined;
  /** The source's `app.json`, when it has one (its `buildpacks`: `[{ "url": "heroku/nodejs" }, …]`). */
  appJson?: string | undefined;
}

/**
 * Which buildpacks build an app, in this order of precedence: the app's setting, its BUILDPACK_URL
 * config var, a `.buildpacks` file in the source, else detection over the built-ins. Names are made
 * unique so each buildpack gets its own directory.
 */
export function planBuildpacks(input: PlanInput, builtIn: readonly BuiltInBuildpack[] = builtInBuildpacks): BuildpackPlan {
  const explicit = explicitBuildpacks(input);
  if (!explicit) return { source: 'detect', buildpacks: [...builtIn] };
  const refs = explicit.entries.map((e) => parseBuildpack(e, builtIn));
  const seen = new Set<string>();
  const buildpacks = refs.map((r, i) => {
    let name = r.name;
    if (seen.has(name)) name = `${name}-${i + 1}`;
    seen.add(name);
    return name === r.name ? r : { ...r, name };
  });
  return { source: explicit.source, buildpacks };
}

/** The buildpacks an app names, and where; undefined when it names none (detection decides). */
export function explicitBuildpacks(input: PlanInput): { source: Exclude<PlanSource, 'detect'>; entries: string[] } | undefined {
  if (input.appBuildpacks.length > 0) return { source: 'app', entries: [...input.appBuildpacks] };
  const url = input.env['BUILDPACK_URL']?.trim();
  if (url) return { source: 'BUILDPACK_URL', entries: [url] };
  const file = input.dotBuildpacks === undefined ? [] : parseBuildpacksFile(input.dotBuildpacks);
  if (file.length > 0) return { source: '.buildpacks', entries: file };
  const fromAppJson = input.appJson === undefined ? [] : appJsonBuildpacks(input.appJson);
  if (fromAppJson.length > 0) return { source: 'app.json', entries: fromAppJson };
  return undefined;
}

/**
 * The `buildpacks` of an app.json, as Heroku reads them (`[{ "url": NAME|URL }]`). An app.json that is
 * not JSON, or whose buildpacks are malformed, fails the build with a message saying where.
 */
export function appJsonBuildpacks(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AppError('build_failed', `app.json is not valid JSON: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new AppError('build_failed', 'app.json must be a JSON object');
  const list = (doc as Record<string, unknown>)['buildpacks'];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new AppError('build_failed', 'app.json: buildpacks must be a list of { "url": … }');
  if (list.length > 20) throw new AppError('build_failed', 'app.json: at most 20 buildpacks');
  return list.map((item, i) => {
    const url = item !== null && typeof item === 'object' ? (item as Record<string, unknown>)['url'] : undefined;
    if (typeof url !== 'string' || url.trim() === '') throw new AppError('build_failed', `app.json: buildpacks[${i}].url must be a buildpack name or URL`);
    return url.trim();
  });
}

/** How a buildpack is named to the user: its built-in name or its URL (with the ref). */
export function describeBuildpack(bp: BuildpackRef): string {
  return bp.kind === 'builtin' ? bp.name : `${bp.url}${bp.ref === undefined ? '' : `#${bp.ref}`}`;
}

/** The user's message when no built-in buildpack detected the app. */
export function noBuildpackMessage(tried: readonly BuildpackRef[]): string {
  return `No buildpack detected: looked for ${tried.map((b) => (b.kind === 'builtin' ? `${b.name} (${b.looksFor})` : b.name)).join(', ')}`;
}
