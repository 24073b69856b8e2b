/** Records and read-model rows → the JSON the catalog routes answer (schemas.ts). Pure. */
import type { PriceCategoryDef } from '../../processors/seat-allocation/model.js';
import { capacity, sectionsView } from './definition.js';
import type { AvailabilityReadRow, BookingReadRow, EventReadRow, HoldReadRow } from './read-models.js';
import { salesCounters } from '../../connectors/postgres/projection.js';
import type { EventRecord, VenueRecord } from './store.js';
import { roundCoordinate, type SeatStatusView, type SeatView } from './views.js';

const iso = (d: Date | number) => new Date(d).toISOString();
const isoOrNull = (d: Date | number | null) => (d === null ? null : iso(d));

export const venueView = (v: VenueRecord) => ({
  id: v.venueId,
  organizerId: v.organizerId,
  name: v.name,
  city: v.city,
  focus: v.focus,
  sections: sectionsView(v.sections),
  seatCount: v.seatCount,
  gaCapacity: v.gaCapacity,
  version: v.version,
  createdAt: iso(v.createdAt),
  updatedAt: iso(v.updatedAt),
});

export const venueSummary = (v: VenueRecord) => ({
  id: v.venueId,
  name: v.name,
  city: v.city,
  seatCount: v.seatCount,
  gaCapacity: v.gaCapacity,
  version: v.version,
  updatedAt: iso(v.updatedAt),
});

export function organizerEventView(e: EventRecord) {
  const { seats, places } = capacity(e.venue.sections);
  return {
    id: e.eventId,
    organizerId: e.organizerId,
    venueId: e.venueId,
    venueVersion: e.venueVersion,
    name: e.name,
    startsAt: isoOrNull(e.startsAt),
    currency: e.currency,
    priceCategories: e.priceCategories,
    onSaleAt: iso(e.onSaleAt),
    offSaleAt: iso(e.offSaleAt),
    maxTicketsPerBuyer: e.maxTicketsPerBuyer,
    holdDurationMs: e.holdDurationMs,
    status: e.status,
    version: e.version,
    published: e.published,
    publishedVersion: e.publishedVersion,
    publication: !e.published ? 'DRAFT' : e.publishedVersion < e.version ? 'PENDING' : 'PUBLISHED',
    seatCount: seats,
    gaCapacity: places,
    createdAt: iso(e.createdAt),
    updatedAt: iso(e.updatedAt),
  };
}

const priceRange = (cs: PriceCategoryDef[]) => ({
  minPriceMinor: cs.length ? Math.min(...cs.map((c) => c.priceMinor)) : 0,
  maxPriceMinor: cs.length ? Math.max(...cs.map((c) => c.priceMinor)) : 0,
});

export const eventSummary = (r: Omit<EventReadRow, 'venue'>) => ({
  id: r.event_id,
  name: r.name,
  startsAt: isoOrNull(r.starts_at),
  status: r.status,
  venue: { id: r.venue_id, name: r.venue_name, city: r.city },
  currency: r.currency,
  ...priceRange(r.price_categories),
  onSaleAt: iso(r.on_sale_at),
  offSaleAt: iso(r.off_sale_at),
  seatCount: r.seat_count,
  gaCapacity: r.ga_capacity,
  version: Number(r.version),
});

export const eventDetail = (r: EventReadRow, seats: SeatView[]) => ({
  ...eventSummary(r),
  organizerId: r.organizer_id,
  maxTicketsPerBuyer: r.max_tickets_per_buyer,
  holdDurationMs: Number(r.hold_duration_ms),
  focus: { x: roundCoordinate(r.venue.focus.x), y: roundCoordinate(r.venue.focus.y) },
  priceCategories: r.price_categories,
  sections: r.venue.sections.map((s) => ({
    id: s.id,
    name: s.name,
    kind: s.kind === 'generalAdmission' ? 'GENERAL_ADMISSION' : 'SEATED',
    capacity: s.kind === 'generalAdmission' ? s.capacity : null,
    priceCategoryId: s.kind === 'generalAdmission' ? s.priceCategoryId : null,
    seatCount: s.rows.reduce((n, row) => n + row.runs.reduce((m, run) => m + run.count, 0), 0),
  })),
  seats,
  updatedAt: iso(r.updated_at),
});

export const availabilityView = (a: AvailabilityReadRow, seats: SeatStatusView[]) => ({
  eventId: a.event_id,
  version: Number(a.version),
  asOf: iso(a.as_of),
  catalogVersion: Number(a.catalog_version),
  totals: a.totals,
  sections: a.sections,
  priceCategories: a.price_categories,
  seats,
});

export const holdView = (h: HoldReadRow) => ({
  holdId: h.hold_id,
  eventId: h.event_id,
  eventName: h.event_name,
  seats: h.seats,
  generalAdmission: h.general_admission,
  tickets: h.tickets,
  totalMinor: Number(h.total_minor),
  currency: h.currency,
  heldAt: iso(h.held_at),
  expiresAt: iso(h.expires_at),
  status: h.status,
  endedAt: isoOrNull(h.ended_at),
  bookingId: h.booking_id,
});

export const bookingView = (b: BookingReadRow) => ({
  bookingId: b.booking_id,
  holdId: b.hold_id,
  eventId: b.event_id,
  eventName: b.event_name,
  seats: b.seats,
  generalAdmission: b.general_admission,
  tickets: b.tickets,
  totalMinor: Number(b.total_minor),
  currency: b.currency,
  paymentReference: b.payment_reference,
  status: b.status,
  confirmedAt: iso(b.confirmed_at),
  cancelledAt: isoOrNull(b.cancelled_at),
});

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Sales counters of an event (all zero before its first decision). */
export const salesView = (eventId: string, row: Record<string, string> | undefined) => ({
  eventId,
  ...Object.fromEntries(salesCounters.map((c) => [camel(c), Number(row?.[c] ?? 0)])),
});
