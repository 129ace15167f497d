import { buildpackEgressUse } from './buildpack-entry.js';
import type { EgressGuard, EgressUse } from './egress-guard.js';

/** One request: what came back, and where a redirect points (absolute), if it is one. */
export interface FetchHop {
  status: number;
  location: string | undefined;
}

/** What a hop is given: the URL, and the address its host was checked at (connect there, nowhere else). */
export type FetchOnce = (url: string, pinned: { host: string; port: number; address: string } | undefined) => Promise<FetchHop>;

const maxRedirects = 5;

/**
 * Follows redirects itself (for every download the platform makes on a user's behalf: buildpack
 * tarballs, build source tarballs), so that the egress guard checks every URL of the chain (scheme and every
 * resolved address) before it is requested, and each request connects to the address checked (no
 * DNS rebinding between the check and the connection).
 */
export async function fetchGuarded(url: string, guard: EgressGuard, once: FetchOnce, use: EgressUse = buildpackEgressUse): Promise<void> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const checked = await guard.checkUrl(current, use);
    const port = Number(checked.url.port || 443);
    const pinned = checked.url.protocol === 'file:' ? undefined : { host: checked.url.hostname, port, address: checked.addresses[0]! };
    const res = await once(current, pinned);
    if (res.status < 300 || res.status >= 400 || res.location === undefined || res.location === '') {
      if (res.status >= 300 && checked.url.protocol !== 'file:') throw new Error(`the server answered HTTP ${res.status}`);
      return;
    }
    if (hop + 1 >= maxRedirects) throw new Error(`more than ${maxRedirects} redirects`);
    current = new URL(res.location, current).toString();
  }
}

