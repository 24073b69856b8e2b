/**
 * What bookings read from the PostgreSQL read models (api/db/migrations/*_read_models.sql, fed by
 * connectors/postgres): the event of a hold or booking, an event's organizer and section kinds, and the decision of
 * a request. Only reads; the sink is their only writer.
 */
import type { Pool } from '../db/pool.js';

export interface Owned {
  eventId: string;
  buyerId: string;
}

export async function holdOwner(pool: Pool, holdId: string): Promise<Owned | null> {
  const { rows } = await pool.query<{ event_id: string; buyer_id: string }>(
    'SELECT event_id, buyer_id FROM holds WHERE hold_id = $1',
    [holdId],
  );
  return rows[0] ? { eventId: rows[0].event_id, buyerId: rows[0].buyer_id } : null;
}

export async function bookingOwner(pool: Pool, bookingId: string): Promise<Owned | null> {
  const { rows } = await pool.query<{ event_id: string; buyer_id: string }>(
    'SELECT event_id, buyer_id FROM bookings WHERE booking_id = $1',
    [bookingId],
  );
  return rows[0] ? { eventId: rows[0].event_id, buyerId: rows[0].buyer_id } : null;
}

export async function eventOrganizer(pool: Pool, eventId: string): Promise<string | null> {
  const { rows } = await pool.query<{ organizer_id: string }>('SELECT organizer_id FROM events WHERE event_id = $1', [
    eventId,
  ]);
  return rows[0]?.organizer_id ?? null;
}

/** The kind of a section of an event's current seat map ('seated' or 'generalAdmission'), null when unknown. */
export async function sectionKind(pool: Pool, eventId: string, sectionId: string): Promise<string | null> {
  const { rows } = await pool.query<{ kind: string | null }>(
    `SELECT s->>'kind' AS kind FROM events e, jsonb_array_elements(e.venue->'sections') s
      WHERE e.event_id = $1 AND s->>'id' = $2`,
    [eventId, sectionId],
  );
  return rows[0]?.kind ?? null;
}

export interface DecisionRow {
  request_id: string;
  event_id: string;
  buyer_id: string;
  kind: string;
  outcome: 'ACCEPTED' | 'REJECTED';
  code: string | null;
  message: string | null;
  command: string | null;
  hold_id: string | null;
  booking_id: string | null;
  seat_ids: string[];
  occurred_at: Date;
  issued_at: Date;
}

export async function decisionOf(pool: Pool, requestId: string): Promise<DecisionRow | null> {
  const { rows } = await pool.query<DecisionRow>(
    `SELECT request_id, event_id, buyer_id, kind, outcome, code, message, command, hold_id, booking_id, seat_ids,
            occurred_at, issued_at
       FROM decisions WHERE request_id = $1`,
    [requestId],
  );
  return rows[0] ?? null;
}

export interface HoldRow {
  hold_id: string;
  event_id: string;
  request_id: string;
  seats: unknown;
  general_admission: unknown;
  tickets: number;
  total_minor: string;
  currency: string;
  held_at: Date;
  expires_at: Date;
  status: string;
}

export async function holdOf(pool: Pool, holdId: string): Promise<HoldRow | null> {
  const { rows } = await pool.query<HoldRow>(
    `SELECT hold_id, event_id, request_id, seats, general_admission, tickets, total_minor, currency, held_at,
            expires_at, status
       FROM holds WHERE hold_id = $1`,
    [holdId],
  );
  return rows[0] ?? null;
}
