/**
 * Kafka records as ClickHouse rows: the reservation decision union flattened into one row shape
 * (reservation_events), and a catalog definition into the events dimension (events). Pure.
 *
 * DateTime columns receive ISO-8601 UTC strings (read with date_time_input_format=best_effort, so the server's
 * time zone does not matter); milliseconds are kept in the *_ms columns. Rows carry every column: ClickHouse 18.16
 * fills omitted JSONEachRow fields with zeros, not with the columns' defaults.
 */
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { GeneralAdmissionPlaces, HeldSeat, ReservationEvent } from '../../schemas/generated/reservation-event.js';

export interface RecordMeta {
  topic: string;
  partition: number;
  offset: number;
  /** Kafka record timestamp, epoch ms. */
  timestamp: number;
}

export type DecisionType =
  | 'SeatsHeld'
  | 'HoldRejected'
  | 'CommandRejected'
  | 'HoldReleased'
  | 'HoldExpired'
  | 'BookingConfirmed'
  | 'BookingCancelled';

export const decisionTypes: readonly DecisionType[] = [
  'SeatsHeld',
  'HoldRejected',
  'CommandRejected',
  'HoldReleased',
  'HoldExpired',
  'BookingConfirmed',
  'BookingCancelled',
];

export interface ReservationEventRow {
  topic: string;
  partition: number;
  offset: number;
  record_ts_ms: number;
  event_id: string;
  request_id: string;
  buyer_id: string;
  occurred_at: string;
  occurred_at_ms: number;
  command_issued_at_ms: number;
  decision_latency_ms: number;
  channel: string;
  partner_id: string;
  replay: 0 | 1;
  decision: DecisionType;
  hold_id: string;
  booking_id: string;
  rejection_code: string;
  rejected_command: string;
  seats: number;
  total_minor: number;
  currency: string;
  expires_at_ms: number;
  line_category: string[];
  line_quantity: number[];
  line_amount_minor: number[];
}

export interface EventRow {
  topic: string;
  partition: number;
  offset: number;
  event_id: string;
  organizer_id: string;
  name: string;
  venue_name: string;
  city: string;
  currency: string;
  status: string;
  starts_at_ms: number;
  on_sale_at: string;
  off_sale_at: string;
  capacity: number;
  max_tickets_per_buyer: number;
  hold_duration_ms: number;
  price_category_ids: string[];
  price_category_names: string[];
  price_category_prices: number[];
  catalog_version: number;
  updated_at_ms: number;
}

/** The largest instant a ClickHouse DateTime holds (2106-02-07). */
const maxDateTimeMs = 4_294_967_295_000;

/** Epoch ms as an ISO string for a DateTime column, clamped to what DateTime holds. */
export const dateTimeText = (ms: number): string => new Date(Math.min(Math.max(0, ms), maxDateTimeMs)).toISOString();

/** Epoch ms for an unsigned column (negative values, from a wrong clock, become 0). */
const unsigned = (ms: number): number => Math.max(0, Math.trunc(ms));

const opt = (u: null | { string: string }): string => (u === null ? '' : u.string);

/** The short name of a decision union branch ('io.seatstream.reservation.SeatsHeld' → 'SeatsHeld'). */
export function decisionTypeOf(e: ReservationEvent): DecisionType {
  const branch = Object.keys(e.decision)[0] ?? '';
  const short = branch.slice(branch.lastIndexOf('.') + 1);
  if (!(decisionTypes as readonly string[]).includes(short)) throw new Error(`unknown decision branch ${branch}`);
  return short as DecisionType;
}

type Ga = null | { 'io.seatstream.reservation.GeneralAdmissionPlaces': GeneralAdmissionPlaces };
const gaOf = (g: Ga): GeneralAdmissionPlaces | null =>
  g === null ? null : g['io.seatstream.reservation.GeneralAdmissionPlaces'];

/** Seats and places per price category, in order of first appearance. */
export function linesOf(seats: readonly HeldSeat[], ga: GeneralAdmissionPlaces | null) {
  const lines = new Map<string, { quantity: number; amount: number }>();
  for (const s of seats) {
    const l = lines.get(s.priceCategoryId) ?? { quantity: 0, amount: 0 };
    l.quantity += 1;
    l.amount += s.priceMinor;
    lines.set(s.priceCategoryId, l);
  }
  if (ga) {
    const l = lines.get(ga.priceCategoryId) ?? { quantity: 0, amount: 0 };
    l.quantity += ga.quantity;
    l.amount += ga.quantity * ga.unitPriceMinor;
    lines.set(ga.priceCategoryId, l);
  }
  return {
    line_category: [...lines.keys()],
    line_quantity: [...lines.values()].map((l) => l.quantity),
    line_amount_minor: [...lines.values()].map((l) => l.amount),
  };
}

const noLines = { line_category: [], line_quantity: [], line_amount_minor: [] };

export function reservationEventRow(meta: RecordMeta, e: ReservationEvent): ReservationEventRow {
  const base = {
    topic: meta.topic,
    partition: meta.partition,
    offset: meta.offset,
    record_ts_ms: unsigned(meta.timestamp),
    event_id: e.eventId,
    request_id: e.requestId,
    buyer_id: e.buyerId,
    occurred_at: dateTimeText(e.occurredAt),
    occurred_at_ms: unsigned(e.occurredAt),
    command_issued_at_ms: unsigned(e.commandIssuedAt),
    decision_latency_ms: unsigned(meta.timestamp - e.commandIssuedAt),
    channel: opt(e.channel),
    partner_id: opt(e.partnerId),
    replay: e.replay ? 1 : 0,
    hold_id: '',
    booking_id: '',
    rejection_code: '',
    rejected_command: '',
    seats: 0,
    total_minor: 0,
    currency: '',
    expires_at_ms: 0,
    ...noLines,
  } as const;
  const d = e.decision;
  if ('io.seatstream.reservation.SeatsHeld' in d) {
    const x = d['io.seatstream.reservation.SeatsHeld'];
    const ga = gaOf(x.generalAdmission);
    return {
      ...base,
      decision: 'SeatsHeld',
      hold_id: x.holdId,
      seats: x.seats.length + (ga?.quantity ?? 0),
      total_minor: x.totalMinor,
      currency: x.currency,
      expires_at_ms: unsigned(x.expiresAt),
      ...linesOf(x.seats, ga),
    };
  }
  if ('io.seatstream.reservation.HoldRejected' in d) {
    const x = d['io.seatstream.reservation.HoldRejected'];
    return { ...base, decision: 'HoldRejected', rejection_code: x.code, rejected_command: 'HOLD' };
  }
  if ('io.seatstream.reservation.CommandRejected' in d) {
    const x = d['io.seatstream.reservation.CommandRejected'];
    return {
      ...base,
      decision: 'CommandRejected',
      rejection_code: x.code,
      rejected_command: x.command,
      hold_id: opt(x.holdId),
      booking_id: opt(x.bookingId),
    };
  }
  if ('io.seatstream.reservation.HoldReleased' in d) {
    const x = d['io.seatstream.reservation.HoldReleased'];
    return {
      ...base,
      decision: 'HoldReleased',
      hold_id: x.holdId,
      seats: x.seatIds.length + (gaOf(x.generalAdmission)?.quantity ?? 0),
    };
  }
  if ('io.seatstream.reservation.HoldExpired' in d) {
    const x = d['io.seatstream.reservation.HoldExpired'];
    return {
      ...base,
      decision: 'HoldExpired',
      hold_id: x.holdId,
      seats: x.seatIds.length + (gaOf(x.generalAdmission)?.quantity ?? 0),
      expires_at_ms: unsigned(x.expiresAt),
    };
  }
  if ('io.seatstream.reservation.BookingConfirmed' in d) {
    const x = d['io.seatstream.reservation.BookingConfirmed'];
    const ga = gaOf(x.generalAdmission);
    return {
      ...base,
      decision: 'BookingConfirmed',
      hold_id: x.holdId,
      booking_id: x.bookingId,
      seats: x.seats.length + (ga?.quantity ?? 0),
      total_minor: x.totalMinor,
      currency: x.currency,
      ...linesOf(x.seats, ga),
    };
  }
  if ('io.seatstream.reservation.BookingCancelled' in d) {
    const x = d['io.seatstream.reservation.BookingCancelled'];
    return {
      ...base,
      decision: 'BookingCancelled',
      hold_id: x.holdId,
      booking_id: x.bookingId,
      seats: x.seatIds.length + (gaOf(x.generalAdmission)?.quantity ?? 0),
      total_minor: x.totalMinor,
      currency: x.currency,
    };
  }
  const _: never = d;
  throw new Error(`unknown decision ${JSON.stringify(Object.keys(_ as object))}`);
}

/** Seats of the seated sections plus places of the general-admission sections. */
export function capacityOf(e: CatalogEvent): number {
  let n = 0;
  for (const s of e.venue.sections) {
    if (s.kind === 'GENERAL_ADMISSION') n += s.capacity?.int ?? 0;
    else for (const r of s.rows) for (const run of r.runs) n += run.count;
  }
  return n;
}

export function eventRow(meta: RecordMeta, e: CatalogEvent): EventRow {
  return {
    topic: meta.topic,
    partition: meta.partition,
    offset: meta.offset,
    event_id: e.eventId,
    organizer_id: e.organizerId,
    name: e.name,
    venue_name: e.venue.name,
    city: opt(e.venue.city),
    currency: e.currency,
    status: e.status,
    starts_at_ms: e.startsAt === null ? 0 : unsigned(e.startsAt.long),
    on_sale_at: dateTimeText(e.onSaleAt),
    off_sale_at: dateTimeText(e.offSaleAt),
    capacity: capacityOf(e),
    max_tickets_per_buyer: Math.max(0, e.maxTicketsPerBuyer),
    hold_duration_ms: unsigned(e.holdDurationMs),
    price_category_ids: e.priceCategories.map((c) => c.id),
    price_category_names: e.priceCategories.map((c) => c.name),
    price_category_prices: e.priceCategories.map((c) => c.priceMinor),
    catalog_version: Math.max(0, e.version),
    updated_at_ms: unsigned(e.updatedAt),
  };
}
