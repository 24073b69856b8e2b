/**
 * Buyers' reads of the read models the sink maintains (connectors/postgres): events (with full-text search),
 * availability snapshots with the seat map of their revision, holds, bookings, sales counters. Keyset pagination:
 * a page's cursor is the sort key of its last item (cursor.ts).
 */
import type { GaPlaces, HeldSeat, PriceCategoryDef, VenueDef } from '../../processors/seat-allocation/model.js';
import type { Queryable } from '../db/pool.js';
import { cursorPatterns, decodeCursor, encodeCursor } from './cursor.js';
import type { EventStatusName } from './definition.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/// Events

export interface EventReadRow {
  event_id: string;
  organizer_id: string;
  name: string;
  starts_at: Date | null;
  venue_id: string;
  venue_name: string;
  city: string | null;
  venue: VenueDef;
  currency: string;
  price_categories: PriceCategoryDef[];
  seat_count: number;
  ga_capacity: number;
  on_sale_at: Date;
  off_sale_at: Date;
  max_tickets_per_buyer: number;
  hold_duration_ms: string;
  status: EventStatusName;
  version: string;
  updated_at: Date;
}

export interface EventQuery {
  q?: string;
  from?: string;
  to?: string;
  city?: string;
  limit: number;
  cursor?: string;
}

const listColumns = `e.event_id, e.organizer_id, e.name, e.starts_at, e.venue_id, e.venue_name, e.city, e.currency,
  e.price_categories, e.seat_count, e.ga_capacity, e.on_sale_at, e.off_sale_at, e.max_tickets_per_buyer,
  e.hold_duration_ms, e.status, e.version, e.updated_at,
  to_json(coalesce(e.starts_at, 'infinity'::timestamptz)) #>> '{}' AS sort_at`;

type ListedRow = Omit<EventReadRow, 'venue'> & { sort_at: string; rank?: string };

/**
 * Events by start time (those without one last), or by relevance when searching (then by start time). Filters:
 * starting in [from, to), in a city (compared as search compares words: case, accents and Arabic letter forms aside).
 */
export async function listEvents(db: Queryable, q: EventQuery): Promise<Page<ListedRow>> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (q.from !== undefined) where.push(`e.starts_at >= ${p(q.from)}::timestamptz`);
  if (q.to !== undefined) where.push(`e.starts_at < ${p(q.to)}::timestamptz`);
  if (q.city !== undefined) where.push(`search_normalize(e.city) = search_normalize(${p(q.city)})`);
  const searching = q.q !== undefined;
  const kind = searching ? 'events-search' : 'events';
  let sql: string;
  if (searching) {
    const query = p(q.q);
    where.push(`e.search @@ search_query(${query})`);
    let keyset = '';
    if (q.cursor) {
      const c = decodeCursor(kind, q.cursor, {
        r: cursorPatterns.real,
        s: cursorPatterns.timestamp,
        id: cursorPatterns.id,
      });
      const [r, s, id] = [p(c.r), p(c.s), p(c.id)];
      keyset = `WHERE x.rank::real < ${r}::real OR (x.rank::real = ${r}::real AND (x.sort_at::timestamptz, x.event_id) > (${s}::timestamptz, ${id}))`;
    }
    sql = `SELECT * FROM (
             SELECT ${listColumns}, ts_rank(e.search, search_query(${query}))::text AS rank FROM events e WHERE ${where.join(' AND ')}
           ) x ${keyset}
           ORDER BY x.rank::real DESC, x.sort_at::timestamptz, x.event_id LIMIT ${p(q.limit + 1)}`;
  } else {
    if (q.cursor) {
      const c = decodeCursor(kind, q.cursor, { s: cursorPatterns.timestamp, id: cursorPatterns.id });
      where.push(`(coalesce(e.starts_at, 'infinity'::timestamptz), e.event_id) > (${p(c.s)}::timestamptz, ${p(c.id)})`);
    }
    sql = `SELECT ${listColumns} FROM events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY coalesce(e.starts_at, 'infinity'::timestamptz), e.event_id LIMIT ${p(q.limit + 1)}`;
  }
  const { rows } = await db.query<ListedRow>(sql, params);
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  const more = rows.length > q.limit && last !== undefined;
  return {
    items,
    nextCursor: more
      ? encodeCursor(
          kind,
          searching ? { r: last.rank!, s: last.sort_at, id: last.event_id } : { s: last.sort_at, id: last.event_id },
        )
      : null,
  };
}

export async function findEvent(db: Queryable, eventId: string): Promise<EventReadRow | undefined> {
  const { rows } = await db.query<EventReadRow>('SELECT * FROM events WHERE event_id = $1', [eventId]);
  return rows[0];
}

/// Availability

export interface AvailabilityReadRow {
  event_id: string;
  version: string;
  as_of: Date;
  catalog_version: string;
  totals: { free: number; held: number; sold: number; total: number };
  sections: {
    sectionId: string;
    generalAdmission: boolean;
    counts: AvailabilityReadRow['totals'];
    seatStatus: string;
  }[];
  price_categories: { priceCategoryId: string; counts: AvailabilityReadRow['totals'] }[];
  /** The seat map of the snapshot's catalog revision, when known. */
  map_venue: VenueDef | null;
  map_categories: PriceCategoryDef[] | null;
}

/** The event's latest snapshot, or 'no-event' / 'no-snapshot'. */
export async function findAvailability(
  db: Queryable,
  eventId: string,
): Promise<AvailabilityReadRow | 'no-event' | 'no-snapshot'> {
  const { rows } = await db.query<AvailabilityReadRow & { has_event: boolean; has_snapshot: boolean }>(
    `SELECT e.event_id IS NOT NULL AS has_event, a.event_id IS NOT NULL AS has_snapshot, a.*,
            coalesce(m.venue, CASE WHEN e.version = a.catalog_version THEN e.venue END) AS map_venue,
            coalesce(m.price_categories, CASE WHEN e.version = a.catalog_version THEN e.price_categories END) AS map_categories
       FROM (SELECT $1::text AS id) k
       LEFT JOIN events e ON e.event_id = k.id
       LEFT JOIN availability a ON a.event_id = k.id
       LEFT JOIN event_seat_maps m ON m.event_id = k.id AND m.version = a.catalog_version`,
    [eventId],
  );
  const r = rows[0]!;
  if (!r.has_event) return 'no-event';
  if (!r.has_snapshot) return 'no-snapshot';
  return r;
}

/** The versions of an event's definition and of its latest snapshot, without reading either (for caches). */
export async function currentVersions(
  db: Queryable,
  eventId: string,
): Promise<{ event: number | null; availability: number | null }> {
  const { rows } = await db.query<{ event: string | null; availability: string | null }>(
    `SELECT (SELECT version FROM events WHERE event_id = $1) AS event,
            (SELECT version FROM availability WHERE event_id = $1) AS availability`,
    [eventId],
  );
  const r = rows[0]!;
  return {
    event: r.event === null ? null : Number(r.event),
    availability: r.availability === null ? null : Number(r.availability),
  };
}

/// Holds and bookings

export interface HoldReadRow {
  hold_id: string;
  event_id: string;
  event_name: string | null;
  seats: HeldSeat[];
  general_admission: GaPlaces | null;
  tickets: number;
  total_minor: string;
  currency: string;
  held_at: Date;
  expires_at: Date;
  status: 'HELD' | 'RELEASED' | 'EXPIRED' | 'CONFIRMED';
  ended_at: Date | null;
  booking_id: string | null;
  sort_at: string;
}

export interface BookingReadRow {
  booking_id: string;
  hold_id: string;
  event_id: string;
  event_name: string | null;
  seats: HeldSeat[];
  general_admission: GaPlaces | null;
  tickets: number;
  total_minor: string;
  currency: string;
  payment_reference: string;
  status: 'CONFIRMED' | 'CANCELLED';
  confirmed_at: Date;
  cancelled_at: Date | null;
  sort_at: string;
}

export interface MineQuery {
  buyerId: string;
  eventId?: string;
  status?: string;
  limit: number;
  cursor?: string;
}

/** A buyer's rows of `table`, newest first. Only ever the given buyer's: the buyer id is the caller's. */
async function listMine<R extends { sort_at: string }>(
  db: Queryable,
  q: MineQuery,
  t: { table: 'holds' | 'bookings'; id: 'hold_id' | 'booking_id'; at: 'held_at' | 'confirmed_at' },
): Promise<Page<R>> {
  const params: unknown[] = [q.buyerId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['x.buyer_id = $1'];
  if (q.eventId !== undefined) where.push(`x.event_id = ${p(q.eventId)}`);
  if (q.status !== undefined) where.push(`x.status = ${p(q.status)}`);
  if (q.cursor) {
    const c = decodeCursor(t.table, q.cursor, { s: cursorPatterns.timestamp, id: cursorPatterns.id });
    where.push(`(x.${t.at}, x.${t.id}) < (${p(c.s)}::timestamptz, ${p(c.id)})`);
  }
  const { rows } = await db.query<R & Record<string, string>>(
    `SELECT x.*, e.name AS event_name, to_json(x.${t.at}) #>> '{}' AS sort_at
       FROM ${t.table} x LEFT JOIN events e ON e.event_id = x.event_id
      WHERE ${where.join(' AND ')}
      ORDER BY x.${t.at} DESC, x.${t.id} DESC LIMIT ${p(q.limit + 1)}`,
    params,
  );
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: rows.length > q.limit && last ? encodeCursor(t.table, { s: last.sort_at, id: last[t.id]! }) : null,
  };
}

export const listHolds = (db: Queryable, q: MineQuery) =>
  listMine<HoldReadRow>(db, q, { table: 'holds', id: 'hold_id', at: 'held_at' });

export const listBookings = (db: Queryable, q: MineQuery) =>
  listMine<BookingReadRow>(db, q, { table: 'bookings', id: 'booking_id', at: 'confirmed_at' });

/// Sales

export async function findSales(db: Queryable, eventId: string): Promise<Record<string, string> | undefined> {
  const { rows } = await db.query<Record<string, string>>('SELECT * FROM event_sales WHERE event_id = $1', [eventId]);
  return rows[0];
}
