/**
 * Engine names derived from an app's name, shared by the builder (which makes them) and the
 * controller (which moves them when an app is renamed, see the controller's app-rename.ts).
 */

/** The repository of an app's slug images: `paas/<app>` (tags `b-<build>`). */
export function slugImageRepo(app: string): string {
  return `paas/${app}`;
}

/**
 * `ref` with its repository moved from app `from` to app `to` (`paas/from:b-1` → `paas/to:b-1`);
 * a ref that is not one of `from`'s slug images is answered unchanged.
 */
export function renamedImageRef(ref: string, from: string, to: string): string {
  const prefix = `${slugImageRepo(from)}:`;
  return ref.startsWith(prefix) ? `${slugImageRepo(to)}:${ref.slice(prefix.length)}` : ref;
}

/** The named volume holding an app's build cache (CACHE_DIR) on one engine. */
export function cacheVolumeName(cluster: string, app: string): string {
  return `paas-cache-${cluster}-${app}`;
}
