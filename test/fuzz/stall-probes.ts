// Requests known to have stalled the controller's event loop (issue 23's measurements), sent alone
// before the fuzz run so their cost is measured against a fresh login rate limit: a login that checks
// a bcrypt hash, a body nested 50,000 deep, config-vars PATCHes with 20,000 keys and with just under
// the 10,000 values a body may hold, a 1.1 MB body.
import type { CaseContext } from './fuzz-cases.js';
import { encodeRequest } from './raw-http.js';
import type { StallCandidate } from './stall-replay.js';

/** The fuzz user's password (createApiHarness's `user()`). */
const fuzzPassword = 'secret-pw';

export function stallProbes(ctx: CaseContext, email: string): StallCandidate[] {
  const json = (method: string, target: string, body: string, token?: string): Buffer =>
    encodeRequest({
      method,
      target,
      headers: [['Content-Type', 'application/json'], ...(token ? ([['Authorization', `Bearer ${token}`]] as [string, string][]) : [])],
      body: Buffer.from(body),
    });
  const probe = (what: string, bytes: Buffer): StallCandidate => ({ ms: 0, what: `probe: ${what}`, bytes, reset: false });
  const keys = (n: number): string => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`KEY_${i}`, 'v'.repeat(20)])));
  return [
    probe('POST /auth/login, right password (bcrypt verify)', json('POST', '/auth/login', JSON.stringify({ email, password: fuzzPassword }))),
    probe('POST /auth/login, wrong password (bcrypt verify)', json('POST', '/auth/login', JSON.stringify({ email, password: 'wrong-pw' }))),
    probe('PATCH /apps/{app}/config-vars, a body nested 50,000 deep', json('PATCH', `/apps/${ctx.app}/config-vars`, `{"A": ${'['.repeat(50_000)}${']'.repeat(50_000)}}`, ctx.userToken)),
    probe('PATCH /apps/{app}/config-vars, 20,000 keys', json('PATCH', `/apps/${ctx.app}/config-vars`, keys(20_000), ctx.userToken)),
    // Just under the 10,000 values a body may hold: parsed and checked, then refused by the count.
    probe('PATCH /apps/{app}/config-vars, 9,999 keys', json('PATCH', `/apps/${ctx.app}/config-vars`, keys(9_999), ctx.userToken)),
    probe('PATCH /apps/{app}/formation, a 1.1 MB body', json('PATCH', `/apps/${ctx.app}/formation`, JSON.stringify({ updates: [{ type: 'web', quantity: 1, note: 'z'.repeat(1_100_000) }] }), ctx.userToken)),
  ];
}
