/**
 * Who may watch or broadcast an event, from the PostgreSQL read models the API already serves: `bookings` (written by
 * connectors/postgres from reservation.events.v1: CONFIRMED, then CANCELLED), `events` (the catalog read model) and
 * `catalog_events` (the organizers' own drafts and events, before or without the read model).
 */
import type { Pool } from '../db/pool.js';

/** The newest confirmed booking of a buyer for an event, or null. Its tickets are valid while it is confirmed. */
export async function confirmedBookingOf(pool: Pool, buyerId: string, eventId: string): Promise<string | null> {
  const { rows } = await pool.query<{ booking_id: string }>(
    `SELECT booking_id FROM bookings
      WHERE buyer_id = $1 AND event_id = $2 AND status = 'CONFIRMED'
      ORDER BY confirmed_at DESC, booking_id DESC LIMIT 1`,
    [buyerId, eventId],
  );
  return rows[0]?.booking_id ?? null;
}

/** Whether a booking is (still) confirmed and belongs to this buyer and event. */
export async function isBookingConfirmed(
  pool: Pool,
  booking: { bookingId: string; buyerId: string; eventId: string },
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `SELECT 1 FROM bookings WHERE booking_id = $1 AND buyer_id = $2 AND event_id = $3 AND status = 'CONFIRMED'`,
    [booking.bookingId, booking.buyerId, booking.eventId],
  );
  return (rowCount ?? 0) > 0;
}

/** The organizer who owns an event, or null when no such event is known. */
export async function organizerOf(pool: Pool, eventId: string): Promise<string | null> {
  const { rows } = await pool.query<{ organizer_id: string }>(
    `SELECT organizer_id FROM events WHERE event_id = $1
     UNION ALL
     SELECT organizer_id::text FROM catalog_events WHERE event_id::text = $1
     LIMIT 1`,
    [eventId],
  );
  return rows[0]?.organizer_id ?? null;
}
