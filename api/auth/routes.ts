/** The auth area: /v1/auth/* and the public keys at /.well-known/jwks.json. */
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import type { Locale } from '../accounts/users.js';
import { bearerSecurity, noContent, responses } from '../http/schemas.js';
import { bearerToken, verifyBearer } from './guard.js';
import { email, locale, newPassword, opaqueToken, password, personName, secondFactorCode } from './schemas.js';
import { login, loginSecondStep, logout, refresh, register } from './service.js';

const body = (properties: Record<string, unknown>) => ({
  type: 'object',
  required: Object.keys(properties),
  additionalProperties: false,
  properties,
});
const tokenPair = { $ref: 'TokenPair#' };

export async function authRoutes(app: FastifyInstance, opts: { ctx: ApiContext }) {
  const { ctx } = opts;

  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['ops'],
        summary: 'Public keys that verify access tokens (JWKS, RFC 7517)',
        response: responses({
          200: {
            type: 'object',
            required: ['keys'],
            additionalProperties: false,
            properties: {
              keys: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    kty: { type: 'string' },
                    crv: { type: 'string' },
                    x: { type: 'string' },
                    y: { type: 'string' },
                    kid: { type: 'string' },
                    alg: { type: 'string' },
                    use: { type: 'string' },
                  },
                },
              },
            },
          },
        }),
      },
    },
    async (_req, reply) => reply.header('cache-control', 'public, max-age=300').send(ctx.tokens.publicJwks()),
  );

  app.post<{ Body: { email: string; password: string; name: string; locale: Locale } }>(
    '/v1/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a customer account',
        body: body({ email, password: newPassword, name: personName, locale }),
        response: responses({ 201: { $ref: 'Account#' } }, [409, 429]),
      },
    },
    async (req, reply) => reply.code(201).send(await register(ctx, req.body, req.ip)),
  );

  app.post<{ Body: { email: string; password: string } }>(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with e-mail and password',
        description:
          'Answers a token pair, or `{mfaRequired, mfaToken}` when TOTP is active: then POST /v1/auth/login/totp. Five failures lock the account for 15 minutes (429 with Retry-After).',
        body: body({ email, password }),
        response: responses({ 200: { anyOf: [tokenPair, { $ref: 'MfaChallenge#' }] } }, [401, 429]),
      },
    },
    async (req) => login(ctx, req.body, req.ip),
  );

  app.post<{ Body: { mfaToken: string; code: string } }>(
    '/v1/auth/login/totp',
    {
      schema: {
        tags: ['auth'],
        summary: 'Second login step: a TOTP code or a recovery code',
        body: body({ mfaToken: opaqueToken, code: secondFactorCode }),
        response: responses({ 200: tokenPair }, [401, 429]),
      },
    },
    async (req) => loginSecondStep(ctx, req.body, req.ip),
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for a new pair (the old one is revoked)',
        description:
          'Presenting an already-rotated refresh token revokes its whole session (SS_ERR_AUTH_REFRESH_REUSED).',
        body: body({ refreshToken: opaqueToken }),
        response: responses({ 200: tokenPair }, [401, 429]),
      },
    },
    async (req) => refresh(ctx, req.body.refreshToken, req.ip),
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/v1/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End a session: its refresh tokens, and the access token when sent',
        security: [...bearerSecurity, {}],
        body: body({ refreshToken: opaqueToken }),
        response: responses({ 204: noContent }, [401]),
      },
    },
    async (req, reply) => {
      const token = bearerToken(req);
      const access = token === null ? null : await verifyBearer(ctx, token).catch(() => null);
      await logout(ctx, req.body.refreshToken, access);
      return reply.code(204).send();
    },
  );
}
