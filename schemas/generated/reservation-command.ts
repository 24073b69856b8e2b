// Generated from schemas/reservation-command.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * A request to the seat allocator (topic reservation.commands.v1, key = eventId). Every command gets its decision on
 * reservation.events.v1 under the same requestId; sending the same requestId again returns the same decision (for at
 * least 24 hours).
 *
 * Avro record `io.seatstream.reservation.ReservationCommand`.
 */
export interface ReservationCommand {
  /**
   * Idempotency key, globally unique (a UUID, or a hash of buyerId and the client's Idempotency-Key). The decision of
   * a request is remembered and repeated for a repeat of the request. Hold and booking ids are derived from it.
   */
  requestId: string;
  /** The event the command is about (also the Kafka key). */
  eventId: string;
  /**
   * The authenticated user on whose behalf the command is made; 'system' for commands of the platform itself
   * (ExpireHolds).
   */
  buyerId: string;
  /**
   * When the API accepted the command. It is the decider's clock: sale window and hold expiry are judged against it.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  issuedAt: number;
  /**
   * Sales channel: 'web', 'app', 'box_office', 'partner' or 'system'; null if unknown.
   *
   * @defaultValue `null`
   */
  channel: null | { string: string };
  /**
   * The partner that sent the command on behalf of the buyer, null for first-party channels.
   *
   * @defaultValue `null`
   */
  partnerId: null | { string: string };
  /**
   * W3C trace context (traceparent header value) of the originating request, copied to the decision.
   *
   * @defaultValue `null`
   */
  traceparent: null | { string: string };
  /** What is asked. */
  command:
    | { 'io.seatstream.reservation.HoldSeats': HoldSeats }
    | { 'io.seatstream.reservation.HoldBestAvailable': HoldBestAvailable }
    | { 'io.seatstream.reservation.HoldGeneralAdmission': HoldGeneralAdmission }
    | { 'io.seatstream.reservation.ReleaseHold': ReleaseHold }
    | { 'io.seatstream.reservation.ConfirmBooking': ConfirmBooking }
    | { 'io.seatstream.reservation.CancelBooking': CancelBooking }
    | { 'io.seatstream.reservation.ExpireHolds': ExpireHolds };
}

/**
 * Hold these specific seats, all or nothing.
 *
 * Avro record `io.seatstream.reservation.HoldSeats`.
 */
export interface HoldSeats {
  /** Seat ids as in the seat map ('<sectionId>-<rowId>-<number>'), distinct, at least one. */
  seatIds: string[];
}

/**
 * Hold the best quantity free seats, adjacent in one row when possible, without leaving a single orphan seat when
 * avoidable.
 *
 * Avro record `io.seatstream.reservation.HoldBestAvailable`.
 */
export interface HoldBestAvailable {
  /** Number of seats, at least one. */
  quantity: number;
  /**
   * Restrict the search to this seated section; null for the whole venue.
   *
   * @defaultValue `null`
   */
  sectionId: null | { string: string };
  /**
   * Restrict the search to seats of this price category; null for any.
   *
   * @defaultValue `null`
   */
  priceCategoryId: null | { string: string };
}

/**
 * Hold a number of places of a general-admission section.
 *
 * Avro record `io.seatstream.reservation.HoldGeneralAdmission`.
 */
export interface HoldGeneralAdmission {
  /** The GENERAL_ADMISSION section. */
  sectionId: string;
  /** Number of places, at least one. */
  quantity: number;
}

/**
 * Give back a hold before it expires (only its owner may).
 *
 * Avro record `io.seatstream.reservation.ReleaseHold`.
 */
export interface ReleaseHold {
  /** The hold, as announced by SeatsHeld. */
  holdId: string;
}

/**
 * Turn a live hold into a booking after payment (only the hold's owner, before it expires).
 *
 * Avro record `io.seatstream.reservation.ConfirmBooking`.
 */
export interface ConfirmBooking {
  /** The hold, as announced by SeatsHeld. */
  holdId: string;
  /** Reference of the authorised payment at the provider (a token, never card data). */
  paymentReference: string;
}

/**
 * Cancel a booking; its seats and places return to sale.
 *
 * Avro record `io.seatstream.reservation.CancelBooking`.
 */
export interface CancelBooking {
  /** The booking, as announced by BookingConfirmed. */
  bookingId: string;
  /**
   * Free-text reason kept in the audit log, null if none.
   *
   * @defaultValue `null`
   */
  reason: null | { string: string };
  /**
   * True when an organizer or admin cancels on the buyer's behalf (the API sets it only for those roles): the owner
   * check is skipped.
   *
   * @defaultValue `false`
   */
  byOperator: boolean;
}

/**
 * Expire every hold whose expiresAt <= now and forget remembered decisions older than the idempotency window. Emitted
 * by the processor's punctuator, never by clients.
 *
 * Avro record `io.seatstream.reservation.ExpireHolds`.
 */
export interface ExpireHolds {
  /**
   * The punctuator's clock.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  now: number;
}
