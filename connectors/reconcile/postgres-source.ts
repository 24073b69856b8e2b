/**
 * PostgreSQL's read models (connectors/postgres: `holds`, `bookings`) as a source of reservation figures: holds by
 * status, bookings by status, their tickets, and revenue. PostgreSQL's hold statuses map to the log's: HELD,
 * RELEASED, EXPIRED as they are; CONFIRMED is `booked`, or `cancelled` once its booking is. Decisions and
 * rejections are not compared here: PostgreSQL keeps the latest decision per request, not every record.
 */
import { add, figureKey, measures, type Figures } from './figures.js';
import type { FigureSource } from './reconcile.js';

/** What the source needs of a pg.Pool. */
export interface SqlQueryable {
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

const holdStatus: Record<string, string> = { HELD: 'held', RELEASED: 'released', EXPIRED: 'expired' };

export function postgresSource(
  pool: SqlQueryable,
  o: { eventIds?: readonly string[]; name?: string } = {},
): FigureSource {
  const filter = o.eventIds ? 'WHERE h.event_id = ANY($1::text[])' : '';
  const bFilter = o.eventIds ? 'WHERE event_id = ANY($1::text[])' : '';
  const values = o.eventIds ? [o.eventIds] : [];
  return {
    name: o.name ?? 'postgres',
    measures: [measures.holds, measures.bookings, measures.tickets, measures.revenue],
    async read() {
      const f: Figures = new Map();
      const holds = await pool.query<{ event_id: string; hold: string; booking: string | null; n: string }>(
        `SELECT h.event_id, h.status AS hold, b.status AS booking, count(*) AS n
         FROM holds h LEFT JOIN bookings b ON b.hold_id = h.hold_id ${filter}
         GROUP BY 1, 2, 3`,
        values,
      );
      for (const r of holds.rows) {
        const status =
          r.hold === 'CONFIRMED'
            ? r.booking === 'CANCELLED'
              ? 'cancelled'
              : 'booked'
            : (holdStatus[r.hold] ?? r.hold);
        add(f, figureKey(measures.holds, r.event_id, status), Number(r.n));
      }
      const bookings = await pool.query<{
        event_id: string;
        status: string;
        currency: string;
        n: string;
        tickets: string;
        total: string;
      }>(
        `SELECT event_id, status, currency, count(*) AS n, sum(tickets) AS tickets, sum(total_minor) AS total
         FROM bookings ${bFilter} GROUP BY 1, 2, 3`,
        values,
      );
      for (const r of bookings.rows) {
        const confirmed = r.status === 'CONFIRMED';
        add(f, figureKey(measures.bookings, r.event_id, confirmed ? 'confirmed' : 'cancelled'), Number(r.n));
        add(f, figureKey(measures.tickets, r.event_id, confirmed ? 'sold' : 'cancelled'), Number(r.tickets));
        if (confirmed) add(f, figureKey(measures.revenue, r.event_id, r.currency), Number(r.total));
      }
      return f;
    },
  };
}
