/** A buyer's own holds and bookings (/v1/me/holds, /v1/me/bookings), from the read models: only ever the caller's. */
import type { FastifyInstance } from 'fastify';
import { authErrors, bearerSecurity, responses } from '../http/schemas.js';
import { bookingView, holdView } from './present.js';
import { listBookings, listHolds } from './read-models.js';
import { BookingPage, BookingsQuery, HoldPage, HoldsQuery } from './schemas.js';

const tags = ['me'];

interface MineQuerystring {
  eventId?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

export async function catalogMeRoutes(app: FastifyInstance) {
  const pool = app.ctx.pool;
  app.addHook('preHandler', app.authenticate);

  app.get<{ Querystring: MineQuerystring }>(
    '/v1/me/holds',
    {
      schema: {
        tags,
        summary: "The caller's holds, newest first (filter by event and status)",
        security: bearerSecurity,
        querystring: HoldsQuery,
        response: responses({ 200: HoldPage }, authErrors),
      },
    },
    async (req) => {
      const page = await listHolds(pool, { ...req.query, buyerId: req.principal!.sub });
      return { items: page.items.map(holdView), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Querystring: MineQuerystring }>(
    '/v1/me/bookings',
    {
      schema: {
        tags,
        summary: "The caller's bookings, newest first (filter by event and status)",
        security: bearerSecurity,
        querystring: BookingsQuery,
        response: responses({ 200: BookingPage }, authErrors),
      },
    },
    async (req) => {
      const page = await listBookings(pool, { ...req.query, buyerId: req.principal!.sub });
      return { items: page.items.map(bookingView), nextCursor: page.nextCursor };
    },
  );
}
