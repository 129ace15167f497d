import { AppError } from '@paas/shared';

export interface BuildpackInfo {
  /** Directory name under the buildpacks dir. */
  name: string;
  /** What its bin/detect looks for, told to the user when nothing detects. */
  looksFor: string;
}

/** The built-in buildpacks, in the order their bin/detect scripts are tried. The one place this order lives. */
export const builtInBuildpacks: readonly BuildpackInfo[] = [{ name: 'nodejs', looksFor: 'package.json' }];

/**
 * The buildpacks to try for a job, in order: the app's explicit list when it has one (names of
 * built-in buildpacks), else every built-in buildpack.
 */
export function buildpackOrder(explicit: readonly string[], builtIn: readonly BuildpackInfo[] = builtInBuildpacks): BuildpackInfo[] {
  if (explicit.length === 0) return [...builtIn];
  return explicit.map((name) => {
    const bp = builtIn.find((b) => b.name === name);
    if (!bp) {
      throw new AppError('no_buildpack', `Unknown buildpack "${name}": the built-in buildpacks are ${builtIn.map((b) => b.name).join(', ')}`);
    }
    return bp;
  });
}

/** The user's message when no buildpack detected the app. */
export function noBuildpackMessage(tried: readonly BuildpackInfo[]): string {
  return `No buildpack detected: looked for ${tried.map((b) => `${b.name} (${b.looksFor})`).join(', ')}`;
}
