import { AppError, isValidAppName, slugImageRepo } from '@paas/shared';

export { cacheVolumeName } from '@paas/shared';

/**
 * The image a build produces: `paas/<app>:b-<short build id>`. The tag keeps the build id's first
 * twelve letters and digits, lowercased (build ids are random, so twelve are plenty).
 */
export function slugImageName(app: string, buildId: string): { repo: string; tag: string; ref: string } {
  if (!isValidAppName(app)) throw new AppError('invalid_params', `invalid app name "${app}"`);
  const short = buildId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 12);
  if (short === '') throw new AppError('invalid_params', `build id "${buildId}" has no letters or digits`);
  const repo = slugImageRepo(app);
  const tag = `b-${short}`;
  return { repo, tag, ref: `${repo}:${tag}` };
}
