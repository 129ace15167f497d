import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '@paas/shared';
import { verifyPassword } from '../../auth/passwords.js';
import { findUserByEmail } from '../../db/users.js';
import type { ApiContext } from '../context.js';
import { currentUser, requireUser } from '../auth.js';
import { validate } from '../validate.js';

const loginBody = z.object({ email: z.string().email(), password: z.string().min(1) });
const tokenBody = z.object({ description: z.string().max(200).default('') });

export function authRoutes(ctx: ApiContext): Router {
  const r = Router();

  r.post('/auth/login', async (req, res) => {
    const body = validate(loginBody, req.body);
    const user = await findUserByEmail(ctx.pool, body.email);
    // Same answer for an unknown email and a wrong password.
    if (!user || !(await verifyPassword(body.password, user.password_hash))) {
      throw new AppError('unauthorized', 'invalid email or password');
    }
    const { password_hash: _hash, ...profile } = user;
    res.json({ token: ctx.tokens.issueSession(profile), user: { id: user.id, email: user.email, role: user.role } });
  });

  r.get('/account', requireUser(ctx.tokens), (req, res) => {
    const u = currentUser(req);
    res.json({ id: u.id, email: u.email, role: u.role, created_at: u.created_at });
  });

  r.post('/account/tokens', requireUser(ctx.tokens), async (req, res) => {
    const body = validate(tokenBody, req.body);
    const token = await ctx.tokens.createApiToken(currentUser(req).id, body.description);
    res.status(201).json({ token, description: body.description });
  });

  return r;
}
