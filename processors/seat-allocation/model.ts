/**
 * The seat allocator's domain: event definitions, commands, decisions.
 *
 * These are SeatStream's own types, not the Avro shapes (no wrapped unions, camelCase literals);
 * `codec.ts` maps them to and from the generated Avro types. Times are epoch milliseconds,
 * amounts are minor units of the event's currency.
 */

/// Event definition (from catalog.events.v1)

export type SectionKind = 'seated' | 'generalAdmission';
export type EventStatus = 'scheduled' | 'onSale' | 'salePaused' | 'saleEnded' | 'cancelled';

export interface Point {
  x: number;
  y: number;
}

/** `count` seats numbered firstNumber, firstNumber + numberStep, …; seat k is drawn at (x + k·dx, y + k·dy). */
export interface SeatRunDef {
  firstNumber: number;
  count: number;
  numberStep: number;
  x: number;
  y: number;
  dx: number;
  dy: number;
  priceCategoryId: string;
}

export interface RowDef {
  id: string;
  label: string;
  runs: SeatRunDef[];
}

export interface SectionDef {
  id: string;
  name: string;
  kind: SectionKind;
  /** General admission only: places for sale. */
  capacity: number | null;
  /** General admission only: the category of every place. */
  priceCategoryId: string | null;
  /** Seated only. */
  rows: RowDef[];
}

export interface VenueDef {
  id: string;
  name: string;
  city: string | null;
  /** Seats closer to this point are better. */
  focus: Point;
  sections: SectionDef[];
}

export interface PriceCategoryDef {
  id: string;
  name: string;
  priceMinor: number;
  color: string | null;
}

export interface EventDefinition {
  eventId: string;
  organizerId: string;
  name: string;
  startsAt: number | null;
  venue: VenueDef;
  currency: string;
  priceCategories: PriceCategoryDef[];
  onSaleAt: number;
  offSaleAt: number;
  maxTicketsPerBuyer: number;
  holdDurationMs: number;
  status: EventStatus;
  version: number;
  updatedAt: number;
}

/** A seat's id: `<sectionId>-<rowId>-<number>`, e.g. `A-12-7` (ids of sections and rows have no '-'). */
export const seatIdOf = (sectionId: string, rowId: string, seatNumber: number): string =>
  `${sectionId}-${rowId}-${seatNumber}`;

/// Holds and bookings

/** A seat as a hold or booking carries it: enough to print a ticket, price fixed when held. */
export interface HeldSeat {
  seatId: string;
  sectionId: string;
  rowLabel: string;
  seatLabel: string;
  priceCategoryId: string;
  priceMinor: number;
}

export interface GaPlaces {
  sectionId: string;
  quantity: number;
  priceCategoryId: string;
  unitPriceMinor: number;
}

export interface Hold {
  holdId: string;
  buyerId: string;
  /** Seats in seat-map order; empty for general admission. */
  seats: HeldSeat[];
  ga: GaPlaces | null;
  totalMinor: number;
  currency: string;
  heldAt: number;
  expiresAt: number;
}

export interface Booking {
  bookingId: string;
  holdId: string;
  buyerId: string;
  seats: HeldSeat[];
  ga: GaPlaces | null;
  totalMinor: number;
  currency: string;
  paymentReference: string;
  confirmedAt: number;
}

/** Hold ids are derived from the request that created the hold, booking ids from the hold: deciding needs no randomness. */
export const holdIdFor = (requestId: string): string => `H-${requestId}`;
export const bookingIdFor = (holdId: string): string | null =>
  holdId.startsWith('H-') ? `B-${holdId.slice(2)}` : null;

/** Number of tickets (seats or places) in a hold or booking. */
export const ticketCount = (h: { seats: readonly HeldSeat[]; ga: GaPlaces | null }): number =>
  h.seats.length + (h.ga?.quantity ?? 0);

/// Commands

/** Common part of every command a client (through the API) or the punctuator sends. */
export interface CommandEnvelope {
  requestId: string;
  eventId: string;
  buyerId: string;
  issuedAt: number;
  channel: string | null;
  partnerId: string | null;
  traceparent: string | null;
}

export type HoldSeats = CommandEnvelope & { type: 'HoldSeats'; seatIds: string[] };
export type HoldBestAvailable = CommandEnvelope & {
  type: 'HoldBestAvailable';
  quantity: number;
  sectionId: string | null;
  priceCategoryId: string | null;
};
export type HoldGeneralAdmission = CommandEnvelope & {
  type: 'HoldGeneralAdmission';
  sectionId: string;
  quantity: number;
};
export type ReleaseHold = CommandEnvelope & { type: 'ReleaseHold'; holdId: string };
export type ConfirmBooking = CommandEnvelope & { type: 'ConfirmBooking'; holdId: string; paymentReference: string };
export type CancelBooking = CommandEnvelope & {
  type: 'CancelBooking';
  bookingId: string;
  reason: string | null;
  byOperator: boolean;
};
export type ExpireHolds = CommandEnvelope & { type: 'ExpireHolds'; now: number };

/** What reservation.commands.v1 carries. */
export type ReservationCommand =
  HoldSeats | HoldBestAvailable | HoldGeneralAdmission | ReleaseHold | ConfirmBooking | CancelBooking | ExpireHolds;

/** A new revision of the event's definition, read from catalog.events.v1. */
export interface ApplyCatalog {
  type: 'ApplyCatalog';
  definition: EventDefinition;
}

export type SeatCommand = ReservationCommand | ApplyCatalog;

/// Decisions (reservation.events.v1)

export type RejectionCode =
  | 'RSV_SEAT_UNAVAILABLE'
  | 'RSV_SOLD_OUT'
  | 'RSV_LIMIT_EXCEEDED'
  | 'RSV_SALE_NOT_OPEN'
  | 'RSV_SALE_CLOSED'
  | 'RSV_UNKNOWN_EVENT'
  | 'RSV_UNKNOWN_SEAT'
  | 'RSV_UNKNOWN_SECTION'
  | 'RSV_UNKNOWN_PRICE_CATEGORY'
  | 'RSV_INVALID_REQUEST'
  | 'RSV_EVENT_CANCELLED'
  | 'RSV_HOLD_NOT_FOUND'
  | 'RSV_NOT_HOLD_OWNER'
  | 'RSV_HOLD_EXPIRED'
  | 'RSV_HOLD_ALREADY_CONFIRMED'
  | 'RSV_BOOKING_NOT_FOUND'
  | 'RSV_NOT_BOOKING_OWNER';

/** Common part of every decision: who asked, when, and whether it repeats an earlier decision. */
export interface DecisionEnvelope {
  requestId: string;
  eventId: string;
  buyerId: string;
  occurredAt: number;
  commandIssuedAt: number;
  channel: string | null;
  partnerId: string | null;
  traceparent: string | null;
  /** A repeat of the decision remembered for this requestId: it changes nothing. */
  replay: boolean;
}

export interface SeatsHeld {
  type: 'SeatsHeld';
  meta: DecisionEnvelope;
  holdId: string;
  seats: HeldSeat[];
  ga: GaPlaces | null;
  totalMinor: number;
  currency: string;
  expiresAt: number;
}

export interface HoldRejected {
  type: 'HoldRejected';
  meta: DecisionEnvelope;
  code: RejectionCode;
  message: string;
  seatIds: string[];
}

export type RejectableCommand = 'ReleaseHold' | 'ConfirmBooking' | 'CancelBooking';

export interface CommandRejected {
  type: 'CommandRejected';
  meta: DecisionEnvelope;
  command: RejectableCommand;
  code: RejectionCode;
  message: string;
  holdId: string | null;
  bookingId: string | null;
}

export interface HoldReleased {
  type: 'HoldReleased';
  meta: DecisionEnvelope;
  holdId: string;
  seatIds: string[];
  ga: GaPlaces | null;
}

export interface HoldExpired {
  type: 'HoldExpired';
  meta: DecisionEnvelope;
  holdId: string;
  seatIds: string[];
  ga: GaPlaces | null;
  expiresAt: number;
}

export interface BookingConfirmed {
  type: 'BookingConfirmed';
  meta: DecisionEnvelope;
  bookingId: string;
  holdId: string;
  seats: HeldSeat[];
  ga: GaPlaces | null;
  paymentReference: string;
  totalMinor: number;
  currency: string;
}

export interface BookingCancelled {
  type: 'BookingCancelled';
  meta: DecisionEnvelope;
  bookingId: string;
  holdId: string;
  seatIds: string[];
  ga: GaPlaces | null;
  paymentReference: string;
  totalMinor: number;
  currency: string;
  reason: string | null;
  byOperator: boolean;
  /**
   * The buyer who owned the booking; `meta.buyerId` is who asked (the operator when `byOperator`). Null only for an
   * operator's cancel decided before the field existed (the owner is not known from the record).
   */
  ownerId: string | null;
}

/** The decisions published on reservation.events.v1. */
export type ReservationDecision =
  SeatsHeld | HoldRejected | CommandRejected | HoldReleased | HoldExpired | BookingConfirmed | BookingCancelled;

/// Internal events: they change the inventory but are not published on reservation.events.v1.

export interface CatalogApplied {
  type: 'CatalogApplied';
  definition: EventDefinition;
}

/** A catalog revision the allocator refuses (an inconsistent seat map): the wiring logs it and sends it to the DLQ. */
export interface CatalogRejected {
  type: 'CatalogRejected';
  eventId: string;
  version: number;
  problems: string[];
}

/** Remembered decisions whose time is before `before` are forgotten (the idempotency window has passed). */
export interface DecisionsForgotten {
  type: 'DecisionsForgotten';
  eventId: string;
  before: number;
}

export type InternalEvent = CatalogApplied | CatalogRejected | DecisionsForgotten;

export type SeatEvent = ReservationDecision | InternalEvent;

/** True for the events the runtime publishes on reservation.events.v1. */
export const isPublished = (e: SeatEvent): e is ReservationDecision =>
  e.type !== 'CatalogApplied' && e.type !== 'CatalogRejected' && e.type !== 'DecisionsForgotten';
