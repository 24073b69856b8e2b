/** The signed-in account: /v1/me, TOTP enrolment, GDPR export and erasure. Any role. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import { password, totpCode } from '../auth/schemas.js';
import { authErrors, bearerSecurity, noContent, responses } from '../http/schemas.js';
import { activateTotp, startTotp } from './mfa.js';
import { eraseAccount, exportAccount } from './privacy.js';
import { liveUser, toAccount } from './users.js';

const principalOf = (req: FastifyRequest): AccessClaims => {
  if (!req.principal) throw new ApiError('SS_ERR_AUTH_TOKEN_MISSING');
  return req.principal;
};

const sessionSummary = {
  type: 'object',
  additionalProperties: false,
  required: ['familyId', 'amr', 'createdAt', 'expiresAt', 'revokedAt', 'revokedReason'],
  properties: {
    familyId: { type: 'string' },
    amr: { type: 'array', items: { type: 'string' } },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    revokedAt: { type: 'string', format: 'date-time', nullable: true },
    revokedReason: { type: 'string', nullable: true },
  },
} as const;

export async function accountRoutes(app: FastifyInstance, opts: { ctx: ApiContext }) {
  const { ctx } = opts;
  app.addHook('preHandler', app.authenticate);

  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['me'],
        summary: 'The signed-in account',
        security: bearerSecurity,
        response: responses({ 200: { $ref: 'Account#' } }, [...authErrors, 404]),
      },
    },
    async (req) => toAccount(ctx.pii, await liveUser(ctx.pool, principalOf(req).sub)),
  );

  app.get(
    '/v1/me/export',
    {
      schema: {
        tags: ['me'],
        summary: 'GDPR export of everything held about the account',
        security: bearerSecurity,
        response: responses(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['exportedAt', 'account', 'mfa', 'sessions', 'roleChanges'],
              properties: {
                exportedAt: { type: 'string', format: 'date-time' },
                account: { $ref: 'Account#' },
                mfa: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['enabled', 'unusedRecoveryCodes'],
                  properties: { enabled: { type: 'boolean' }, unusedRecoveryCodes: { type: 'integer' } },
                },
                sessions: { type: 'array', items: sessionSummary },
                roleChanges: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['oldRole', 'newRole', 'changedAt'],
                    properties: {
                      oldRole: { type: 'string' },
                      newRole: { type: 'string' },
                      changedAt: { type: 'string', format: 'date-time' },
                    },
                  },
                },
              },
            },
          },
          [...authErrors, 404],
        ),
      },
    },
    async (req, reply) =>
      reply
        .header('content-disposition', 'attachment; filename="seatstream-account.json"')
        .send(await exportAccount(ctx, principalOf(req))),
  );

  app.delete<{ Body: { password: string } }>(
    '/v1/me',
    {
      schema: {
        tags: ['me'],
        summary: 'GDPR erasure: personal data erased, sessions ended; the id stays as a pseudonym for booking history',
        security: bearerSecurity,
        body: { type: 'object', required: ['password'], additionalProperties: false, properties: { password } },
        response: responses({ 204: noContent }, [...authErrors, 404, 429]),
      },
    },
    async (req, reply) => {
      await eraseAccount(ctx, principalOf(req), req.body.password);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/me/mfa/totp',
    {
      schema: {
        tags: ['me'],
        summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI (pending until activated)',
        security: bearerSecurity,
        response: responses(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['secret', 'otpauthUri', 'digits', 'periodSec', 'algorithm'],
              properties: {
                secret: { type: 'string', description: 'base32' },
                otpauthUri: { type: 'string' },
                digits: { type: 'integer' },
                periodSec: { type: 'integer' },
                algorithm: { type: 'string', enum: ['SHA1'] },
              },
            },
          },
          [...authErrors, 404, 409],
        ),
      },
    },
    async (req) => startTotp(ctx, principalOf(req)),
  );

  app.post<{ Body: { code: string } }>(
    '/v1/me/mfa/totp/activate',
    {
      schema: {
        tags: ['me'],
        summary: 'Activate TOTP with a first code; answers the 10 recovery codes (shown once) and a new token pair',
        description: "The account's other sessions are revoked: they were opened without the second factor.",
        security: bearerSecurity,
        body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: totpCode } },
        response: responses(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: [
                'recoveryCodes',
                'tokenType',
                'accessToken',
                'expiresIn',
                'refreshToken',
                'refreshExpiresAt',
                'mfaEnrolmentRequired',
              ],
              properties: {
                recoveryCodes: { type: 'array', items: { type: 'string' } },
                tokenType: { type: 'string', enum: ['Bearer'] },
                accessToken: { type: 'string' },
                expiresIn: { type: 'integer' },
                refreshToken: { type: 'string' },
                refreshExpiresAt: { type: 'string', format: 'date-time' },
                mfaEnrolmentRequired: { type: 'boolean' },
              },
            },
          },
          [...authErrors, 404, 409, 429],
        ),
      },
    },
    async (req) => activateTotp(ctx, principalOf(req), req.body.code),
  );
}
