/** The catalog's write side in PostgreSQL (tables catalog_venues, catalog_events): organizers' venues and events. */
import type { PriceCategoryDef, SectionDef, VenueDef } from '../../processors/seat-allocation/model.js';
import type { Queryable } from '../db/pool.js';
import { capacity, type EventStatusName, type StoredEvent } from './definition.js';

export interface VenueRecord {
  venueId: string;
  organizerId: string;
  name: string;
  city: string | null;
  focus: { x: number; y: number };
  sections: SectionDef[];
  seatCount: number;
  gaCapacity: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface EventRecord extends StoredEvent {
  venueId: string;
  venueVersion: number;
  published: boolean;
  publishedVersion: number;
  createdAt: Date;
}

/** The seat map an event copies from a venue. */
export const venueDefOf = (v: VenueRecord): VenueDef => ({
  id: v.venueId,
  name: v.name,
  city: v.city,
  focus: v.focus,
  sections: v.sections,
});

/// Venues

interface VenueRow {
  venue_id: string;
  organizer_id: string;
  name: string;
  city: string | null;
  focus: { x: number; y: number };
  sections: SectionDef[];
  seat_count: number;
  ga_capacity: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const venueOf = (r: VenueRow): VenueRecord => ({
  venueId: r.venue_id,
  organizerId: r.organizer_id,
  name: r.name,
  city: r.city,
  focus: r.focus,
  sections: r.sections,
  seatCount: r.seat_count,
  gaCapacity: r.ga_capacity,
  version: r.version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export async function insertVenue(db: Queryable, organizerId: string, v: VenueDef): Promise<VenueRecord> {
  const { seats, places } = capacity(v.sections);
  const { rows } = await db.query<VenueRow>(
    `INSERT INTO catalog_venues (venue_id, organizer_id, name, city, focus, sections, seat_count, ga_capacity)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [v.id, organizerId, v.name, v.city, JSON.stringify(v.focus), JSON.stringify(v.sections), seats, places],
  );
  return venueOf(rows[0]!);
}

export async function updateVenue(db: Queryable, v: VenueDef): Promise<VenueRecord> {
  const { seats, places } = capacity(v.sections);
  const { rows } = await db.query<VenueRow>(
    `UPDATE catalog_venues SET name = $2, city = $3, focus = $4, sections = $5, seat_count = $6, ga_capacity = $7,
            version = version + 1, updated_at = now()
      WHERE venue_id = $1 RETURNING *`,
    [v.id, v.name, v.city, JSON.stringify(v.focus), JSON.stringify(v.sections), seats, places],
  );
  return venueOf(rows[0]!);
}

export async function findVenue(db: Queryable, venueId: string, forUpdate = false): Promise<VenueRecord | undefined> {
  const { rows } = await db.query<VenueRow>(
    `SELECT * FROM catalog_venues WHERE venue_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [venueId],
  );
  return rows[0] ? venueOf(rows[0]) : undefined;
}

export async function listVenues(db: Queryable, organizerId: string): Promise<VenueRecord[]> {
  const { rows } = await db.query<VenueRow>(
    'SELECT * FROM catalog_venues WHERE organizer_id = $1 ORDER BY created_at, venue_id',
    [organizerId],
  );
  return rows.map(venueOf);
}

/// Events

interface EventRow {
  event_id: string;
  organizer_id: string;
  venue_id: string;
  venue_version: number;
  venue: VenueDef;
  name: string;
  starts_at: Date | null;
  currency: string;
  price_categories: PriceCategoryDef[];
  on_sale_at: Date;
  off_sale_at: Date;
  max_tickets_per_buyer: number;
  hold_duration_ms: string;
  status: EventStatusName;
  published: boolean;
  version: string;
  published_version: string;
  created_at: Date;
  updated_at: Date;
}

const eventOf = (r: EventRow): EventRecord => ({
  eventId: r.event_id,
  organizerId: r.organizer_id,
  venueId: r.venue_id,
  venueVersion: r.venue_version,
  venue: r.venue,
  name: r.name,
  startsAt: r.starts_at === null ? null : r.starts_at.getTime(),
  currency: r.currency,
  priceCategories: r.price_categories,
  onSaleAt: r.on_sale_at.getTime(),
  offSaleAt: r.off_sale_at.getTime(),
  maxTicketsPerBuyer: r.max_tickets_per_buyer,
  holdDurationMs: Number(r.hold_duration_ms),
  status: r.status,
  published: r.published,
  version: Number(r.version),
  publishedVersion: Number(r.published_version),
  createdAt: r.created_at,
  updatedAt: r.updated_at.getTime(),
});

const ts = (ms: number | null) => (ms === null ? null : new Date(ms));

/** Inserts a new event (a draft), or writes every field of an existing one with its version + 1. */
export async function saveEvent(
  db: Queryable,
  e: Omit<EventRecord, 'version' | 'publishedVersion' | 'createdAt' | 'updatedAt'>,
  isNew: boolean,
): Promise<EventRecord> {
  const params = [
    e.eventId,
    e.organizerId,
    e.venueId,
    e.venueVersion,
    JSON.stringify(e.venue),
    e.name,
    ts(e.startsAt),
    e.currency,
    JSON.stringify(e.priceCategories),
    ts(e.onSaleAt),
    ts(e.offSaleAt),
    e.maxTicketsPerBuyer,
    e.holdDurationMs,
    e.status,
    e.published,
  ];
  const { rows } = isNew
    ? await db.query<EventRow>(
        `INSERT INTO catalog_events (event_id, organizer_id, venue_id, venue_version, venue, name, starts_at, currency,
                price_categories, on_sale_at, off_sale_at, max_tickets_per_buyer, hold_duration_ms, status, published)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
        params,
      )
    : await db.query<EventRow>(
        `UPDATE catalog_events SET organizer_id = $2, venue_id = $3, venue_version = $4, venue = $5, name = $6,
                starts_at = $7, currency = $8, price_categories = $9, on_sale_at = $10, off_sale_at = $11,
                max_tickets_per_buyer = $12, hold_duration_ms = $13, status = $14, published = $15,
                version = version + 1, updated_at = now()
          WHERE event_id = $1 RETURNING *`,
        params,
      );
  return eventOf(rows[0]!);
}

export async function findEvent(
  db: Queryable,
  eventId: string,
  lock: '' | 'FOR UPDATE' = '',
): Promise<EventRecord | undefined> {
  const { rows } = await db.query<EventRow>(`SELECT * FROM catalog_events WHERE event_id = $1 ${lock}`, [eventId]);
  return rows[0] ? eventOf(rows[0]) : undefined;
}

export async function listEvents(db: Queryable, organizerId: string): Promise<EventRecord[]> {
  const { rows } = await db.query<EventRow>(
    'SELECT * FROM catalog_events WHERE organizer_id = $1 ORDER BY created_at, event_id',
    [organizerId],
  );
  return rows.map(eventOf);
}

/**
 * Locks published events whose latest revision is not on the topic yet (one event, or up to `limit` of any, skipping
 * those another publisher holds), for the length of the caller's transaction.
 */
export async function lockUnpublished(
  db: Queryable,
  target: { eventId: string } | { limit: number },
): Promise<EventRecord[]> {
  const { rows } =
    'eventId' in target
      ? await db.query<EventRow>(
          'SELECT * FROM catalog_events WHERE event_id = $1 AND published AND published_version < version FOR UPDATE',
          [target.eventId],
        )
      : await db.query<EventRow>(
          `SELECT * FROM catalog_events WHERE published AND published_version < version
            ORDER BY updated_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [target.limit],
        );
  return rows.map(eventOf);
}

export async function markPublished(db: Queryable, published: { eventId: string; version: number }[]): Promise<void> {
  await db.query(
    `UPDATE catalog_events e SET published_version = p.version
       FROM unnest($1::uuid[], $2::bigint[]) AS p(event_id, version)
      WHERE e.event_id = p.event_id AND e.published_version < p.version`,
    [published.map((p) => p.eventId), published.map((p) => p.version)],
  );
}
