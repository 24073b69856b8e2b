/**
 * Authentication and authorisation for routes:
 *
 *   app.get('/v1/me', { preHandler: app.authenticate }, ...)
 *   app.register(organizerRoutes)  // whose plugin calls app.addHook('preHandler', app.requireRole('organizer', 'admin'))
 *
 * `authenticate` verifies the bearer access token (signature, typ, iss, aud, exp), then asks Redis
 * whether it was revoked; the claims land on `req.principal`. `requireRole` refuses other roles
 * (403 SS_ERR_AUTH_FORBIDDEN) and, for organizer and admin, a session without TOTP
 * (403 SS_ERR_AUTH_MFA_REQUIRED).
 */
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { AccessClaims } from './access-tokens.js';
import { requiresMfa, type Role } from './roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: AccessClaims | null;
  }
  interface FastifyInstance {
    authenticate: preHandlerAsyncHookHandler;
    requireRole: (...allowed: Role[]) => preHandlerAsyncHookHandler;
  }
}

const challenge = (error: string) => ({ 'www-authenticate': `Bearer error="${error}"` });

/** The bearer token of a request, or null when there is no Authorization header. */
export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (h === undefined) return null;
  const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(h);
  if (!m) throw new ApiError('SS_ERR_AUTH_TOKEN_INVALID', undefined, challenge('invalid_token'));
  return m[1]!;
}

/** Verifies a bearer token and checks it is not revoked. */
export async function verifyBearer(ctx: ApiContext, token: string): Promise<AccessClaims> {
  let claims: AccessClaims;
  try {
    claims = await ctx.tokens.verify(token, ctx.now());
  } catch (err) {
    if (err instanceof ApiError) throw new ApiError(err.code, err.message, challenge('invalid_token'));
    throw err;
  }
  if (await ctx.sessions.isRevoked(claims))
    throw new ApiError('SS_ERR_AUTH_TOKEN_REVOKED', undefined, challenge('invalid_token'));
  return claims;
}

export const guardPlugin = fp(
  async (app: FastifyInstance, opts: { ctx: ApiContext }) => {
    const { ctx } = opts;
    app.decorateRequest('principal', null);
    app.decorate('authenticate', async function authenticate(req: FastifyRequest) {
      const token = bearerToken(req);
      if (token === null) throw new ApiError('SS_ERR_AUTH_TOKEN_MISSING', undefined, { 'www-authenticate': 'Bearer' });
      req.principal = await verifyBearer(ctx, token);
    });
    app.decorate('requireRole', (...allowed: Role[]): preHandlerAsyncHookHandler => {
      return async function requireRole(req: FastifyRequest) {
        const p = req.principal;
        if (!p) throw new ApiError('SS_ERR_AUTH_TOKEN_MISSING', undefined, { 'www-authenticate': 'Bearer' });
        if (!allowed.includes(p.role)) throw new ApiError('SS_ERR_AUTH_FORBIDDEN');
        if (requiresMfa(p.role) && !p.amr.includes('otp')) throw new ApiError('SS_ERR_AUTH_MFA_REQUIRED');
      };
    });
  },
  { name: 'seatstream-guard' },
);
