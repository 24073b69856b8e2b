/**
 * The read models' fold, pure: a batch of decoded records (in offset order per partition) becomes a write plan, the
 * batch's net effect on the tables, which store.ts writes in one transaction with a few set-based statements.
 *
 * Applying the plan is equivalent to applying the records one by one, because:
 * - events and availability are "latest version wins": per event only the highest version after the last tombstone
 *   of the batch matters (plus that tombstone's delete), and the write is version-guarded against the table;
 * - a hold is inserted once (SeatsHeld) and ended once (released, expired or confirmed); a booking is inserted once
 *   and cancelled once: inserts are written before ends, and only the first end of the batch counts (a later one
 *   would find the row ended already);
 * - decisions are keyed by request id and written once;
 * - sales counters are sums, which commute.
 *
 * Replays (`replay: true`, a repeated request answered again) change nothing and are skipped. Records that cannot be
 * applied come back as refusals (they are dead-lettered, the rest of the batch goes on).
 */
import { definitionFromAvro } from '../../processors/seat-allocation/codec.js';
import { decisionFromAvro } from '../../processors/seat-allocation/codec.js';
import type {
  EventDefinition,
  GaPlaces,
  HeldSeat,
  ReservationDecision,
} from '../../processors/seat-allocation/model.js';
import { validateDefinition } from '../../processors/seat-allocation/seatMap.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import { SinkRefusal, type Position, type SinkInput } from './inputs.js';

/// Rows (keys are the tables' columns; times are ISO 8601 strings)

export interface EventRow {
  event_id: string;
  organizer_id: string;
  name: string;
  starts_at: string | null;
  venue_id: string;
  venue_name: string;
  city: string | null;
  venue: EventDefinition['venue'];
  currency: string;
  price_categories: EventDefinition['priceCategories'];
  seat_count: number;
  ga_capacity: number;
  on_sale_at: string;
  off_sale_at: string;
  max_tickets_per_buyer: number;
  hold_duration_ms: number;
  status: CatalogEvent['status'];
  version: number;
  updated_at: string;
}

export interface SeatMapRow {
  event_id: string;
  version: number;
  venue: EventDefinition['venue'];
  price_categories: EventDefinition['priceCategories'];
}

export interface HoldRow {
  hold_id: string;
  event_id: string;
  buyer_id: string;
  request_id: string;
  seats: HeldSeat[];
  general_admission: GaPlaces | null;
  tickets: number;
  total_minor: number;
  currency: string;
  held_at: string;
  expires_at: string;
}

export type HoldEndStatus = 'RELEASED' | 'EXPIRED' | 'CONFIRMED';

export interface HoldEnd {
  hold_id: string;
  status: HoldEndStatus;
  ended_at: string;
  booking_id: string | null;
}

export interface BookingRow {
  booking_id: string;
  hold_id: string;
  event_id: string;
  buyer_id: string;
  request_id: string;
  seats: HeldSeat[];
  general_admission: GaPlaces | null;
  tickets: number;
  total_minor: number;
  currency: string;
  payment_reference: string;
  confirmed_at: string;
}

export interface BookingCancel {
  booking_id: string;
  cancelled_at: string;
  cancel_reason: string | null;
  cancelled_by_operator: boolean;
}

export interface AvailabilityRow {
  event_id: string;
  version: number;
  as_of: string;
  catalog_version: number;
  totals: EventAvailability['totals'];
  sections: { sectionId: string; generalAdmission: boolean; counts: EventAvailability['totals']; seatStatus: string }[];
  price_categories: EventAvailability['priceCategories'];
}

export interface DecisionRow {
  request_id: string;
  event_id: string;
  buyer_id: string;
  kind: Exclude<ReservationDecision['type'], 'HoldExpired'>;
  outcome: 'ACCEPTED' | 'REJECTED';
  code: string | null;
  message: string | null;
  command: string | null;
  hold_id: string | null;
  booking_id: string | null;
  seat_ids: string[];
  occurred_at: string;
  issued_at: string;
}

export const salesCounters = [
  'decisions',
  'holds',
  'rejections',
  'releases',
  'expiries',
  'bookings',
  'cancellations',
  'tickets_held',
  'tickets_sold',
  'revenue_minor',
] as const;

export type SalesCounter = (typeof salesCounters)[number];
export type SalesDelta = { event_id: string } & Record<SalesCounter, number>;

export interface WritePlan {
  /** Events deleted by a tombstone (with their seat maps), written first. */
  eventDeletes: string[];
  /** At most one per event: the highest version after its last tombstone. */
  eventUpserts: EventRow[];
  /** Seat map of every catalog revision applied. */
  seatMaps: SeatMapRow[];
  holdInserts: HoldRow[];
  /** At most one per hold: the first end of the batch. */
  holdEnds: HoldEnd[];
  bookingInserts: BookingRow[];
  /** At most one per booking. */
  bookingCancels: BookingCancel[];
  availabilityDeletes: string[];
  /** At most one per event: the highest version after its last tombstone. */
  availabilityUpserts: AvailabilityRow[];
  decisions: DecisionRow[];
  /** Summed per event. */
  sales: SalesDelta[];
  /** Events whose seat maps may now be pruned. */
  seatMapEvents: string[];
}

export interface Refusal {
  at: Position;
  code: string;
  error: Error;
}

export type Outcome = 'applied' | 'replay' | 'refused';

export interface Projection {
  plan: WritePlan;
  refusals: Refusal[];
  /** The outcome of each input, in input order. */
  outcomes: Outcome[];
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/// Catalog

/** The seats and general-admission places a definition puts on sale. */
export function capacityOf(def: EventDefinition): { seats: number; places: number } {
  let seats = 0;
  let places = 0;
  for (const s of def.venue.sections) {
    if (s.kind === 'generalAdmission') places += s.capacity ?? 0;
    else for (const r of s.rows) for (const run of r.runs) seats += run.count;
  }
  return { seats, places };
}

/** @throws SinkRefusal when the key is not the event id or the definition is inconsistent */
export function eventRowOf(key: string, value: CatalogEvent): EventRow {
  if (key !== value.eventId)
    throw new SinkRefusal('SS_ERR_SINK_KEY_MISMATCH', `key '${key}', eventId '${value.eventId}'`);
  const def = definitionFromAvro(value);
  const problems = validateDefinition(def);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    throw new SinkRefusal(
      'SS_ERR_SINK_INVALID_CATALOG',
      problems.length > 10 ? `${shown}; and ${problems.length - 10} more` : shown,
    );
  }
  const { seats, places } = capacityOf(def);
  return {
    event_id: def.eventId,
    organizer_id: def.organizerId,
    name: def.name,
    starts_at: def.startsAt === null ? null : iso(def.startsAt),
    venue_id: def.venue.id,
    venue_name: def.venue.name,
    city: def.venue.city,
    venue: def.venue,
    currency: def.currency,
    price_categories: def.priceCategories,
    seat_count: seats,
    ga_capacity: places,
    on_sale_at: iso(def.onSaleAt),
    off_sale_at: iso(def.offSaleAt),
    max_tickets_per_buyer: def.maxTicketsPerBuyer,
    hold_duration_ms: def.holdDurationMs,
    status: value.status,
    version: def.version,
    updated_at: iso(def.updatedAt),
  };
}

/// Availability

export function availabilityRowOf(key: string, a: EventAvailability): AvailabilityRow {
  if (key !== a.eventId) throw new SinkRefusal('SS_ERR_SINK_KEY_MISMATCH', `key '${key}', eventId '${a.eventId}'`);
  return {
    event_id: a.eventId,
    version: a.version,
    as_of: iso(a.asOf),
    catalog_version: a.catalogVersion,
    totals: { ...a.totals },
    sections: a.sections.map((s) => ({
      sectionId: s.sectionId,
      generalAdmission: s.generalAdmission,
      counts: { ...s.counts },
      seatStatus: s.seatStatus.toString('base64'),
    })),
    price_categories: a.priceCategories.map((c) => ({ priceCategoryId: c.priceCategoryId, counts: { ...c.counts } })),
  };
}

/// Reservations

const tickets = (seats: number, ga: GaPlaces | null): number => seats + (ga?.quantity ?? 0);

const noSales = (eventId: string): SalesDelta => ({
  event_id: eventId,
  ...(Object.fromEntries(salesCounters.map((c) => [c, 0])) as Record<SalesCounter, number>),
});

/** What one (non-replayed) decision does to the tables, in the order it does it. */
export interface DecisionEffect {
  holdInsert?: HoldRow;
  holdEnd?: HoldEnd;
  bookingInsert?: BookingRow;
  bookingCancel?: BookingCancel;
  decision?: DecisionRow;
  sales: Partial<Record<SalesCounter, number>>;
}

export function decisionEffect(d: ReservationDecision): DecisionEffect {
  const m = d.meta;
  const base = {
    request_id: m.requestId,
    event_id: m.eventId,
    buyer_id: m.buyerId,
    code: null,
    message: null,
    command: null,
    hold_id: null,
    booking_id: null,
    seat_ids: [] as string[],
    occurred_at: iso(m.occurredAt),
    issued_at: iso(m.commandIssuedAt),
  };
  const at = iso(m.occurredAt);
  switch (d.type) {
    case 'SeatsHeld': {
      const n = tickets(d.seats.length, d.ga);
      return {
        holdInsert: {
          hold_id: d.holdId,
          event_id: m.eventId,
          buyer_id: m.buyerId,
          request_id: m.requestId,
          seats: d.seats,
          general_admission: d.ga,
          tickets: n,
          total_minor: d.totalMinor,
          currency: d.currency,
          held_at: at,
          expires_at: iso(d.expiresAt),
        },
        decision: {
          ...base,
          kind: d.type,
          outcome: 'ACCEPTED',
          hold_id: d.holdId,
          seat_ids: d.seats.map((s) => s.seatId),
        },
        sales: { decisions: 1, holds: 1, tickets_held: n },
      };
    }
    case 'HoldRejected':
      return {
        decision: { ...base, kind: d.type, outcome: 'REJECTED', code: d.code, message: d.message, seat_ids: d.seatIds },
        sales: { decisions: 1, rejections: 1 },
      };
    case 'CommandRejected':
      return {
        decision: {
          ...base,
          kind: d.type,
          outcome: 'REJECTED',
          code: d.code,
          message: d.message,
          command: { ReleaseHold: 'RELEASE_HOLD', ConfirmBooking: 'CONFIRM_BOOKING', CancelBooking: 'CANCEL_BOOKING' }[
            d.command
          ],
          hold_id: d.holdId,
          booking_id: d.bookingId,
        },
        sales: { decisions: 1, rejections: 1 },
      };
    case 'HoldReleased':
      return {
        holdEnd: { hold_id: d.holdId, status: 'RELEASED', ended_at: at, booking_id: null },
        decision: { ...base, kind: d.type, outcome: 'ACCEPTED', hold_id: d.holdId, seat_ids: d.seatIds },
        sales: { decisions: 1, releases: 1, tickets_held: -tickets(d.seatIds.length, d.ga) },
      };
    case 'HoldExpired':
      // Answers the punctuator's ExpireHolds, not a client request: no decision row (several share its request id).
      return {
        holdEnd: { hold_id: d.holdId, status: 'EXPIRED', ended_at: at, booking_id: null },
        sales: { decisions: 1, expiries: 1, tickets_held: -tickets(d.seatIds.length, d.ga) },
      };
    case 'BookingConfirmed': {
      const n = tickets(d.seats.length, d.ga);
      return {
        holdEnd: { hold_id: d.holdId, status: 'CONFIRMED', ended_at: at, booking_id: d.bookingId },
        bookingInsert: {
          booking_id: d.bookingId,
          hold_id: d.holdId,
          event_id: m.eventId,
          buyer_id: m.buyerId,
          request_id: m.requestId,
          seats: d.seats,
          general_admission: d.ga,
          tickets: n,
          total_minor: d.totalMinor,
          currency: d.currency,
          payment_reference: d.paymentReference,
          confirmed_at: at,
        },
        decision: {
          ...base,
          kind: d.type,
          outcome: 'ACCEPTED',
          hold_id: d.holdId,
          booking_id: d.bookingId,
          seat_ids: d.seats.map((s) => s.seatId),
        },
        sales: { decisions: 1, bookings: 1, tickets_held: -n, tickets_sold: n, revenue_minor: d.totalMinor },
      };
    }
    case 'BookingCancelled': {
      const n = tickets(d.seatIds.length, d.ga);
      return {
        bookingCancel: {
          booking_id: d.bookingId,
          cancelled_at: at,
          cancel_reason: d.reason,
          cancelled_by_operator: d.byOperator,
        },
        decision: {
          ...base,
          kind: d.type,
          outcome: 'ACCEPTED',
          hold_id: d.holdId,
          booking_id: d.bookingId,
          seat_ids: d.seatIds,
        },
        sales: { decisions: 1, cancellations: 1, tickets_sold: -n, revenue_minor: -d.totalMinor },
      };
    }
    default: {
      const _: never = d;
      return _;
    }
  }
}

/// The batch

/** Latest-version-wins coalescing of one keyed table: deletes, then at most one upsert per key. */
class Latest<R extends { version: number }> {
  private readonly deleted = new Set<string>();
  private readonly rows = new Map<string, R>();
  tombstone(key: string) {
    this.deleted.add(key);
    this.rows.delete(key);
  }
  put(key: string, row: R) {
    const had = this.rows.get(key);
    if (!had || row.version > had.version) this.rows.set(key, row);
  }
  get deletes(): string[] {
    return [...this.deleted];
  }
  get upserts(): R[] {
    return [...this.rows.values()];
  }
}

export function project(inputs: readonly SinkInput[]): Projection {
  const events = new Latest<EventRow>();
  const availability = new Latest<AvailabilityRow>();
  const seatMaps = new Map<string, SeatMapRow>();
  const seatMapEvents = new Set<string>();
  const holdInserts: HoldRow[] = [];
  const holdEnds = new Map<string, HoldEnd>();
  const bookingInserts: BookingRow[] = [];
  const bookingCancels = new Map<string, BookingCancel>();
  const decisions: DecisionRow[] = [];
  const sales = new Map<string, SalesDelta>();
  const refusals: Refusal[] = [];
  const outcomes: Outcome[] = [];

  for (const input of inputs) {
    try {
      outcomes.push(apply(input));
    } catch (err) {
      if (!(err instanceof SinkRefusal)) throw err;
      refusals.push({ at: input.at, code: err.code, error: err });
      outcomes.push('refused');
    }
  }

  function apply(input: SinkInput): Outcome {
    switch (input.source) {
      case 'catalog': {
        if (input.value === null) {
          events.tombstone(input.key);
          seatMapEvents.add(input.key);
          for (const k of [...seatMaps.keys()]) if (seatMaps.get(k)!.event_id === input.key) seatMaps.delete(k);
          return 'applied';
        }
        const row = eventRowOf(input.key, input.value);
        events.put(row.event_id, row);
        seatMaps.set(`${row.event_id}\u0000${row.version}`, {
          event_id: row.event_id,
          version: row.version,
          venue: row.venue,
          price_categories: row.price_categories,
        });
        seatMapEvents.add(row.event_id);
        return 'applied';
      }
      case 'availability': {
        if (input.value === null) {
          availability.tombstone(input.key);
          return 'applied';
        }
        const row = availabilityRowOf(input.key, input.value);
        availability.put(row.event_id, row);
        seatMapEvents.add(row.event_id);
        return 'applied';
      }
      case 'reservation': {
        const v = input.value;
        if (input.key !== v.eventId)
          throw new SinkRefusal('SS_ERR_SINK_KEY_MISMATCH', `key '${input.key}', eventId '${v.eventId}'`);
        if (v.replay) return 'replay';
        const effect = decisionEffect(decisionFromAvro(v));
        if (effect.holdInsert) holdInserts.push(effect.holdInsert);
        if (effect.holdEnd && !holdEnds.has(effect.holdEnd.hold_id))
          holdEnds.set(effect.holdEnd.hold_id, effect.holdEnd);
        if (effect.bookingInsert) bookingInserts.push(effect.bookingInsert);
        if (effect.bookingCancel && !bookingCancels.has(effect.bookingCancel.booking_id))
          bookingCancels.set(effect.bookingCancel.booking_id, effect.bookingCancel);
        if (effect.decision) decisions.push(effect.decision);
        const s = sales.get(v.eventId) ?? noSales(v.eventId);
        for (const [k, n] of Object.entries(effect.sales) as [SalesCounter, number][]) s[k] += n;
        sales.set(v.eventId, s);
        return 'applied';
      }
      default: {
        const _: never = input;
        return _;
      }
    }
  }

  return {
    plan: {
      eventDeletes: events.deletes,
      eventUpserts: events.upserts,
      seatMaps: [...seatMaps.values()],
      holdInserts,
      holdEnds: [...holdEnds.values()],
      bookingInserts,
      bookingCancels: [...bookingCancels.values()],
      availabilityDeletes: availability.deletes,
      availabilityUpserts: availability.upserts,
      decisions,
      sales: [...sales.values()],
      seatMapEvents: [...seatMapEvents],
    },
    refusals,
    outcomes,
  };
}

export const isEmptyPlan = (p: WritePlan): boolean => Object.values(p).every((v) => Array.isArray(v) && v.length === 0);
