/**
 * Check-in at the door (organizers of the event, admins):
 *
 *   POST /v1/checkin {eventId, qr} → 200 the admitted ticket | 422 forged | 409 already used, cancelled, other event
 *
 * The QR payload's Ed25519 signature is verified first (processors/tickets/signing.ts), so a forged or altered ticket
 * is refused without a database read; a scanner holding the public key can do the same offline. Admission is one
 * atomic UPDATE (VALID and not yet scanned): of two scans racing, one wins and the other is told it was used.
 */
import { createPublicKey } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { verifyTicket } from '../../processors/tickets/signing.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { authErrors, bearerSecurity, responses } from '../http/schemas.js';

export async function checkinRoutes(app: FastifyInstance, opts: { ctx: ApiContext; ticketPublicKeyPem: string }) {
  const { ctx } = opts;
  const publicKey = createPublicKey(opts.ticketPublicKeyPem);
  app.addHook('preHandler', app.authenticate);
  app.addHook('preHandler', app.requireRole('organizer', 'admin'));

  app.post<{ Body: { eventId: string; qr: string } }>(
    '/v1/checkin',
    {
      schema: {
        tags: ['check-in'],
        summary: 'Admit a ticket once: verifies its signature, then marks it used',
        security: bearerSecurity,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['eventId', 'qr'],
          properties: {
            eventId: { type: 'string', minLength: 1, maxLength: 200 },
            qr: { type: 'string', minLength: 1, maxLength: 2000 },
          },
        },
        response: responses(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['ticketId', 'eventId', 'bookingId', 'sectionId', 'checkedInAt'],
              properties: {
                ticketId: { type: 'string' },
                eventId: { type: 'string' },
                bookingId: { type: 'string' },
                sectionId: { type: 'string' },
                rowLabel: { type: ['string', 'null'] },
                seatLabel: { type: ['string', 'null'] },
                checkedInAt: { type: 'string', format: 'date-time' },
              },
            },
          },
          [...authErrors, 404, 409, 422],
        ),
      },
    },
    async (req) => {
      const claims = verifyTicket(publicKey, req.body.qr);
      if (!claims) throw new ApiError('SS_ERR_CHECKIN_FORGED');
      if (claims.e !== req.body.eventId) throw new ApiError('SS_ERR_CHECKIN_WRONG_EVENT');
      const principal = req.principal!;
      if (principal.role !== 'admin') {
        const owner = (
          await ctx.pool.query<{ organizer_id: string }>('SELECT organizer_id FROM events WHERE event_id = $1', [
            claims.e,
          ])
        ).rows[0];
        if (owner?.organizer_id !== principal.sub) throw new ApiError('SS_ERR_CATALOG_NOT_OWNER');
      }
      const now = ctx.now();
      const admitted = (
        await ctx.pool.query<{
          ticket_id: string;
          event_id: string;
          booking_id: string;
          section_id: string;
          row_label: string | null;
          seat_label: string | null;
        }>(
          `UPDATE tickets SET checked_in_at = $2, checked_in_by = $3
            WHERE ticket_id = $1 AND event_id = $4 AND status = 'VALID' AND checked_in_at IS NULL
        RETURNING ticket_id, event_id, booking_id, section_id, row_label, seat_label`,
          [claims.t, now, principal.sub, claims.e],
        )
      ).rows[0];
      if (admitted)
        return {
          ticketId: admitted.ticket_id,
          eventId: admitted.event_id,
          bookingId: admitted.booking_id,
          sectionId: admitted.section_id,
          rowLabel: admitted.row_label,
          seatLabel: admitted.seat_label,
          checkedInAt: now.toISOString(),
        };
      const t = (
        await ctx.pool.query<{ status: string }>('SELECT status FROM tickets WHERE ticket_id = $1', [claims.t])
      ).rows[0];
      if (!t) throw new ApiError('SS_ERR_CHECKIN_UNKNOWN_TICKET');
      if (t.status === 'CANCELLED') throw new ApiError('SS_ERR_CHECKIN_CANCELLED');
      throw new ApiError('SS_ERR_CHECKIN_ALREADY_USED');
    },
  );
}
