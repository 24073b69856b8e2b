/**
 * What the notifier looks up about people and events in the read side (PostgreSQL): the language each user chose,
 * an event's name, the holders of valid tickets of an event. Reads only.
 */
import type pg from 'pg';

export interface Directory {
  /** Locale per user id (users without an account, or erased, are absent). */
  locales(userIds: readonly string[]): Promise<Map<string, string>>;
  eventName(eventId: string): Promise<string | null>;
  /** Buyers holding valid tickets of the event. */
  holders(eventId: string): Promise<string[]>;
}

export const pgDirectory = (pool: pg.Pool): Directory => ({
  async locales(userIds) {
    if (userIds.length === 0) return new Map();
    const { rows } = await pool.query<{ id: string; locale: string }>(
      'SELECT id::text AS id, locale FROM users WHERE id::text = ANY($1) AND erased_at IS NULL',
      [userIds],
    );
    return new Map(rows.map((r) => [r.id, r.locale]));
  },
  async eventName(eventId) {
    const { rows } = await pool.query<{ name: string }>('SELECT name FROM events WHERE event_id = $1', [eventId]);
    return rows[0]?.name ?? null;
  },
  async holders(eventId) {
    const { rows } = await pool.query<{ buyer_id: string }>(
      `SELECT DISTINCT buyer_id FROM tickets WHERE event_id = $1 AND status = 'VALID'`,
      [eventId],
    );
    return rows.map((r) => r.buyer_id);
  },
});
