// Generated from schemas/reservation-event.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * A decision of the seat allocator (topic reservation.events.v1, key = eventId; the audit log). Every client command
 * gets exactly one event with its requestId; ExpireHolds gets one HoldExpired per expired hold.
 *
 * Avro record `io.seatstream.reservation.ReservationEvent`.
 */
export interface ReservationEvent {
  /** requestId of the command this decision answers (for HoldExpired: of the ExpireHolds command). */
  requestId: string;
  /** The event (also the Kafka key). */
  eventId: string;
  /** The buyer concerned: the command's buyer, or for HoldExpired the owner of the expired hold. */
  buyerId: string;
  /**
   * Decision time on the decider's clock (the command's issuedAt, or ExpireHolds.now).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  occurredAt: number;
  /**
   * issuedAt of the command, so that downstream can measure decision latency against the record timestamp.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  commandIssuedAt: number;
  /**
   * Sales channel copied from the command.
   *
   * @defaultValue `null`
   */
  channel: null | { string: string };
  /**
   * Partner copied from the command.
   *
   * @defaultValue `null`
   */
  partnerId: null | { string: string };
  /**
   * W3C trace context copied from the command.
   *
   * @defaultValue `null`
   */
  traceparent: null | { string: string };
  /**
   * True when this is the repetition of an earlier decision, because the same requestId was received again: it
   * changes no state. Read models skip it; the API uses it to answer the retried request.
   *
   * @defaultValue `false`
   */
  replay: boolean;
  /** What was decided. */
  decision:
    | { 'io.seatstream.reservation.SeatsHeld': SeatsHeld }
    | { 'io.seatstream.reservation.HoldRejected': HoldRejected }
    | { 'io.seatstream.reservation.CommandRejected': CommandRejected }
    | { 'io.seatstream.reservation.HoldReleased': HoldReleased }
    | { 'io.seatstream.reservation.HoldExpired': HoldExpired }
    | { 'io.seatstream.reservation.BookingConfirmed': BookingConfirmed }
    | { 'io.seatstream.reservation.BookingCancelled': BookingCancelled };
}

/**
 * Seats or general-admission places are held for the buyer until expiresAt.
 *
 * Avro record `io.seatstream.reservation.SeatsHeld`.
 */
export interface SeatsHeld {
  /** Id of the new hold ('H-' + requestId). */
  holdId: string;
  /** The held seats in seat-map order; empty for a general-admission hold. */
  seats: HeldSeat[];
  /**
   * The held general-admission places; null for a seated hold.
   *
   * @defaultValue `null`
   */
  generalAdmission: null | { 'io.seatstream.reservation.GeneralAdmissionPlaces': GeneralAdmissionPlaces };
  /** Sum of the prices, in minor units. */
  totalMinor: number;
  /** ISO 4217 currency of every amount of the hold. */
  currency: string;
  /**
   * When the hold expires unless confirmed: occurredAt + the event's holdDurationMs.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  expiresAt: number;
}

/**
 * A seat with what a ticket needs to print it.
 *
 * Avro record `io.seatstream.reservation.HeldSeat`.
 */
export interface HeldSeat {
  /** Seat id '<sectionId>-<rowId>-<number>'. */
  seatId: string;
  /** Section of the seat. */
  sectionId: string;
  /** Row label as printed. */
  rowLabel: string;
  /** Seat label as printed (its number). */
  seatLabel: string;
  /** Price category of the seat at the time of the hold. */
  priceCategoryId: string;
  /** Price of the seat in minor units, fixed at the time of the hold. */
  priceMinor: number;
}

/**
 * A quantity of unnumbered places in one general-admission section.
 *
 * Avro record `io.seatstream.reservation.GeneralAdmissionPlaces`.
 */
export interface GeneralAdmissionPlaces {
  /** The GENERAL_ADMISSION section. */
  sectionId: string;
  /** Number of places. */
  quantity: number;
  /** Price category of the places. */
  priceCategoryId: string;
  /** Price of one place in minor units, fixed at the time of the hold. */
  unitPriceMinor: number;
}

/**
 * A hold command (HoldSeats, HoldBestAvailable, HoldGeneralAdmission) was refused; nothing changed.
 *
 * Avro record `io.seatstream.reservation.HoldRejected`.
 */
export interface HoldRejected {
  /**
   * Stable reason code (shared with CommandRejected and with the API's error codes). RSV_SEAT_UNAVAILABLE: a
   * requested seat is held or sold. RSV_SOLD_OUT: not enough free seats or places match. RSV_LIMIT_EXCEEDED: the
   * buyer would exceed maxTicketsPerBuyer. RSV_SALE_NOT_OPEN: before onSaleAt or sale paused. RSV_SALE_CLOSED: at or
   * after offSaleAt or sale ended. RSV_UNKNOWN_EVENT: no catalog definition. RSV_UNKNOWN_SEAT: a seat id not in the
   * seat map. RSV_UNKNOWN_SECTION / RSV_UNKNOWN_PRICE_CATEGORY: no such section or category (or wrong kind of
   * section). RSV_INVALID_REQUEST: malformed (quantity < 1, duplicate seat ids...). RSV_EVENT_CANCELLED: the event is
   * cancelled. RSV_HOLD_NOT_FOUND: no live hold with that id. RSV_NOT_HOLD_OWNER: the hold belongs to another buyer.
   * RSV_HOLD_EXPIRED: the hold's expiresAt has passed. RSV_HOLD_ALREADY_CONFIRMED: the hold became a booking already.
   * RSV_BOOKING_NOT_FOUND: no such booking. RSV_NOT_BOOKING_OWNER: the booking belongs to another buyer.
   */
  code: RejectionCode;
  /** Human-readable explanation in English (clients translate by code). */
  message: string;
  /**
   * The offending seat ids (unavailable or unknown), empty when not about specific seats.
   *
   * @defaultValue `[]`
   */
  seatIds: string[];
}

/** Avro enum `io.seatstream.reservation.RejectionCode`. */
export type RejectionCode = 'RSV_SEAT_UNAVAILABLE' | 'RSV_SOLD_OUT' | 'RSV_LIMIT_EXCEEDED' | 'RSV_SALE_NOT_OPEN' | 'RSV_SALE_CLOSED' | 'RSV_UNKNOWN_EVENT' | 'RSV_UNKNOWN_SEAT' | 'RSV_UNKNOWN_SECTION' | 'RSV_UNKNOWN_PRICE_CATEGORY' | 'RSV_INVALID_REQUEST' | 'RSV_EVENT_CANCELLED' | 'RSV_HOLD_NOT_FOUND' | 'RSV_NOT_HOLD_OWNER' | 'RSV_HOLD_EXPIRED' | 'RSV_HOLD_ALREADY_CONFIRMED' | 'RSV_BOOKING_NOT_FOUND' | 'RSV_NOT_BOOKING_OWNER';

/**
 * A ReleaseHold, ConfirmBooking or CancelBooking was refused; nothing changed. Separate from HoldRejected because it
 * refers to a hold or booking rather than to seats; both share RejectionCode, so rejections by reason are counted
 * over one enum.
 *
 * Avro record `io.seatstream.reservation.CommandRejected`.
 */
export interface CommandRejected {
  /** Which command was refused. */
  command: RejectedCommand;
  /** Stable reason code (see HoldRejected.code). */
  code: RejectionCode;
  /** Human-readable explanation in English. */
  message: string;
  /**
   * The hold named by the command, null for CANCEL_BOOKING.
   *
   * @defaultValue `null`
   */
  holdId: null | { string: string };
  /**
   * The booking named by the command, null unless CANCEL_BOOKING.
   *
   * @defaultValue `null`
   */
  bookingId: null | { string: string };
}

/** Avro enum `io.seatstream.reservation.RejectedCommand`. */
export type RejectedCommand = 'RELEASE_HOLD' | 'CONFIRM_BOOKING' | 'CANCEL_BOOKING';

/**
 * The owner gave a hold back; its seats or places are free again.
 *
 * Avro record `io.seatstream.reservation.HoldReleased`.
 */
export interface HoldReleased {
  /** The released hold. */
  holdId: string;
  /** Seats freed, empty for a general-admission hold. */
  seatIds: string[];
  /**
   * Places freed, null for a seated hold.
   *
   * @defaultValue `null`
   */
  generalAdmission: null | { 'io.seatstream.reservation.GeneralAdmissionPlaces': GeneralAdmissionPlaces };
}

/**
 * A hold reached its expiresAt unconfirmed; its seats or places are free again.
 *
 * Avro record `io.seatstream.reservation.HoldExpired`.
 */
export interface HoldExpired {
  /** The expired hold. */
  holdId: string;
  /** Seats freed, empty for a general-admission hold. */
  seatIds: string[];
  /**
   * Places freed, null for a seated hold.
   *
   * @defaultValue `null`
   */
  generalAdmission: null | { 'io.seatstream.reservation.GeneralAdmissionPlaces': GeneralAdmissionPlaces };
  /**
   * The hold's expiry time (occurredAt is when the expiry was processed).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  expiresAt: number;
}

/**
 * A hold became a booking: its seats or places are sold to the buyer.
 *
 * Avro record `io.seatstream.reservation.BookingConfirmed`.
 */
export interface BookingConfirmed {
  /** Id of the new booking ('B-' + the hold's requestId). */
  bookingId: string;
  /** The hold it came from (now gone). */
  holdId: string;
  /** The sold seats with their prices, empty for general admission. */
  seats: HeldSeat[];
  /**
   * The sold places, null for a seated booking.
   *
   * @defaultValue `null`
   */
  generalAdmission: null | { 'io.seatstream.reservation.GeneralAdmissionPlaces': GeneralAdmissionPlaces };
  /** Payment reference from ConfirmBooking. */
  paymentReference: string;
  /** Total price in minor units (the hold's). */
  totalMinor: number;
  /** ISO 4217 currency of the total. */
  currency: string;
}

/**
 * A booking was cancelled; its seats or places are free again (refunds are the payments saga's business).
 *
 * Avro record `io.seatstream.reservation.BookingCancelled`.
 */
export interface BookingCancelled {
  /** The cancelled booking. */
  bookingId: string;
  /** The hold the booking came from. */
  holdId: string;
  /** Seats freed, empty for general admission. */
  seatIds: string[];
  /**
   * Places freed, null for a seated booking.
   *
   * @defaultValue `null`
   */
  generalAdmission: null | { 'io.seatstream.reservation.GeneralAdmissionPlaces': GeneralAdmissionPlaces };
  /** Payment reference of the booking, for the refund. */
  paymentReference: string;
  /** Total paid, in minor units, for the refund. */
  totalMinor: number;
  /** ISO 4217 currency of the total. */
  currency: string;
  /**
   * Reason given by the command, null if none.
   *
   * @defaultValue `null`
   */
  reason: null | { string: string };
  /**
   * True when an organizer or admin cancelled it.
   *
   * @defaultValue `false`
   */
  byOperator: boolean;
  /**
   * The buyer who owned the booking (the envelope's buyerId is who asked: the operator when byOperator). Null in
   * records written before the field existed: the owner is then the envelope's buyerId unless byOperator.
   *
   * @defaultValue `null`
   */
  ownerId: null | { string: string };
}
