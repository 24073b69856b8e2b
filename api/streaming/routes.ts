/**
 * Stream tokens (an API route; the streaming service verifies what it signs):
 *
 *   POST /v1/events/:eventId/stream-token {role?: 'viewer' | 'broadcaster'}   (a JSON body, `{}` for a viewer)
 *     → 200 {token, role, eventId, bookingId, expiresAt, signalingPath}
 *     | 403 SS_ERR_STREAM_NO_TICKET (viewer without a confirmed booking for the event)
 *     | 403 SS_ERR_STREAM_NOT_ORGANIZER (broadcaster who is not the event's organizer nor an admin)
 *     | 403 SS_ERR_AUTH_MFA_REQUIRED (organizer or admin session without TOTP)
 *     | 404 SS_ERR_EVENT_NOT_FOUND (broadcaster token for an unknown event)
 *
 * A viewer's token names the booking that entitles them; the streaming service ends the session when that booking is
 * cancelled.
 */
import type { FastifyInstance } from 'fastify';
import { requiresMfa } from '../auth/roles.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { authErrors, bearerSecurity, responses } from '../http/schemas.js';
import type { JwtKeySet } from '../keys/jwt-keys.js';
import { streamTokenTtlSec } from './config.js';
import { confirmedBookingOf, organizerOf } from './entitlements.js';
import { SIGNALING_PATH } from './protocol.js';
import { StreamTokens, type StreamRole } from './stream-tokens.js';

export async function streamTokenRoutes(
  app: FastifyInstance,
  opts: { ctx: ApiContext; jwtKeys: JwtKeySet; ttlSec?: number },
) {
  const { ctx } = opts;
  const tokens = await StreamTokens.create(opts.jwtKeys, {
    issuer: ctx.config.jwt.issuer,
    ttlSec: opts.ttlSec ?? streamTokenTtlSec(),
    clockToleranceSec: ctx.config.jwt.clockToleranceSec,
  });
  app.addHook('preHandler', app.authenticate);

  app.post<{ Params: { eventId: string }; Body: { role?: StreamRole } }>(
    '/v1/events/:eventId/stream-token',
    {
      schema: {
        tags: ['live'],
        summary: "A short-lived token to watch (ticket holders) or broadcast (the event's organizer) its live stream",
        security: bearerSecurity,
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['eventId'],
          properties: {
            eventId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' },
          },
        },
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { role: { type: 'string', enum: ['viewer', 'broadcaster'] } },
        },
        response: responses(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['token', 'role', 'eventId', 'bookingId', 'expiresAt', 'signalingPath'],
              properties: {
                token: { type: 'string' },
                role: { type: 'string', enum: ['viewer', 'broadcaster'] },
                eventId: { type: 'string' },
                bookingId: { type: ['string', 'null'] },
                expiresAt: { type: 'string', format: 'date-time' },
                signalingPath: { type: 'string' },
              },
            },
          },
          [...authErrors, 404],
        ),
      },
    },
    async (req) => {
      const p = req.principal!;
      const { eventId } = req.params;
      const role: StreamRole = req.body.role ?? 'viewer';
      let bookingId: string | null = null;
      if (role === 'viewer') {
        bookingId = await confirmedBookingOf(ctx.pool, p.sub, eventId);
        if (bookingId === null) throw new ApiError('SS_ERR_STREAM_NO_TICKET');
      } else {
        if (p.role !== 'organizer' && p.role !== 'admin') throw new ApiError('SS_ERR_STREAM_NOT_ORGANIZER');
        if (requiresMfa(p.role) && !p.amr.includes('otp')) throw new ApiError('SS_ERR_AUTH_MFA_REQUIRED');
        const owner = await organizerOf(ctx.pool, eventId);
        if (owner === null) throw new ApiError('SS_ERR_EVENT_NOT_FOUND');
        if (p.role !== 'admin' && owner !== p.sub) throw new ApiError('SS_ERR_STREAM_NOT_ORGANIZER');
      }
      const { token, claims } = await tokens.sign({ sub: p.sub, eventId, bookingId, role }, ctx.now());
      return {
        token,
        role,
        eventId,
        bookingId,
        expiresAt: new Date(claims.exp * 1000).toISOString(),
        signalingPath: SIGNALING_PATH,
      };
    },
  );
}
