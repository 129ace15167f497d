import { decide, subjectOf } from '../auth/policy.js';
import type { TokenService } from '../auth/token-service.js';
import { findAppForUser } from '../db/apps.js';
import type { Queryable } from '../db/queryable.js';
import type { GitAuthorizer } from '../git/git-http.js';
import { tokenFrom } from './auth.js';

/**
 * Who may fetch (`app:read`) or push (`app:deploy`) an app's repository, by the same policy as the
 * API: the token must be valid and its user enabled; an app the user may not see is "not found".
 */
export function gitAuthorizer(tokens: TokenService, db: Queryable): GitAuthorizer {
  return async (req, name, kind) => {
    let token: string | undefined;
    try {
      token = tokenFrom(req.headers.authorization);
    } catch (err) {
      return { status: 401, message: (err as Error).message, challenge: true };
    }
    if (!token) return { status: 401, message: 'authentication required: run paas login', challenge: true };
    let user;
    try {
      user = await tokens.authenticate(token);
    } catch (err) {
      return { status: 401, message: (err as Error).message, challenge: true };
    }
    const app = await findAppForUser(db, name, user.id);
    const decision = app ? decide(subjectOf(user, app.relation), kind === 'push' ? 'app:deploy' : 'app:read') : 'hidden';
    if (decision === 'allow') return { user };
    if (decision === 'forbidden') return { status: 403, message: `you may not ${kind} ${name}` };
    return { status: 404, message: `Couldn't find that app: ${name}` };
  };
}
