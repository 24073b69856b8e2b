// Generated from schemas/payment-request.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * An input of the payment saga (topic payment.requests.v1, key = holdId): a buyer's checkout, a seat-allocation
 * decision about the hold (repartitioned from reservation.events.v1 by holdId), or a verified provider webhook.
 *
 * Avro record `io.seatstream.payment.PaymentRequest`.
 */
export interface PaymentRequest {
  /** The hold being paid for (also the Kafka key). */
  holdId: string;
  /** The event of the hold. */
  eventId: string;
  /** The buyer: the checkout's authenticated user, or the hold's owner. */
  buyerId: string;
  /**
   * When the API accepted the checkout, or when the decision or webhook happened.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  occurredAt: number;
  /**
   * W3C trace context of the originating request.
   *
   * @defaultValue `null`
   */
  traceparent: null | { string: string };
  /** What happened. */
  request:
    | { 'io.seatstream.payment.CheckoutRequested': CheckoutRequested }
    | { 'io.seatstream.payment.HoldPlaced': HoldPlaced }
    | { 'io.seatstream.payment.HoldBooked': HoldBooked }
    | { 'io.seatstream.payment.ConfirmationRejected': ConfirmationRejected }
    | { 'io.seatstream.payment.HoldEnded': HoldEnded }
    | { 'io.seatstream.payment.BookingCancelled': BookingCancelled }
    | { 'io.seatstream.payment.ProviderNotified': ProviderNotified };
}

/**
 * The buyer asks to pay for the hold with a provider token (never card data).
 *
 * Avro record `io.seatstream.payment.CheckoutRequested`.
 */
export interface CheckoutRequested {
  /** Id of this checkout attempt (the API's correlation id). */
  checkoutId: string;
  /** The provider's token for the buyer's card. */
  paymentToken: string;
  /** Which provider the token is for ('sandbox', 'stripe'). */
  provider: string;
  /**
   * The buyer's language (en, fr, ar) for what they are told.
   *
   * @defaultValue `null`
   */
  locale: null | { string: string };
}

/**
 * Seat allocation held seats (SeatsHeld): what the saga will charge and until when.
 *
 * Avro record `io.seatstream.payment.HoldPlaced`.
 */
export interface HoldPlaced {
  /** Amount to charge, in minor units. */
  totalMinor: number;
  /** ISO 4217 currency. */
  currency: string;
  /**
   * When the hold expires unless confirmed.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  expiresAt: number;
  /** Number of seats or places held. */
  tickets: number;
}

/**
 * Seat allocation confirmed the hold into a booking (BookingConfirmed).
 *
 * Avro record `io.seatstream.payment.HoldBooked`.
 */
export interface HoldBooked {
  /** The new booking. */
  bookingId: string;
  /** The payment reference the confirmation carried. */
  paymentReference: string;
  /** The sold seats, empty for general admission. */
  seats: BookedSeat[];
  /**
   * The sold standing places, null for a seated booking.
   *
   * @defaultValue `null`
   */
  generalAdmission: null | { 'io.seatstream.payment.BookedPlaces': BookedPlaces };
  /** Total of the booking. */
  totalMinor: number;
  /** ISO 4217 currency. */
  currency: string;
}

/**
 * A sold seat with what its ticket prints.
 *
 * Avro record `io.seatstream.payment.BookedSeat`.
 */
export interface BookedSeat {
  /** Seat id. */
  seatId: string;
  /** Section. */
  sectionId: string;
  /** Row label. */
  rowLabel: string;
  /** Seat label. */
  seatLabel: string;
  /** Price category. */
  priceCategoryId: string;
  /** Price in minor units. */
  priceMinor: number;
}

/**
 * Unnumbered places of one general-admission section.
 *
 * Avro record `io.seatstream.payment.BookedPlaces`.
 */
export interface BookedPlaces {
  /** Section. */
  sectionId: string;
  /** Number of places. */
  quantity: number;
  /** Price category. */
  priceCategoryId: string;
  /** Price of one place. */
  unitPriceMinor: number;
}

/**
 * Seat allocation refused the saga's ConfirmBooking (CommandRejected).
 *
 * Avro record `io.seatstream.payment.ConfirmationRejected`.
 */
export interface ConfirmationRejected {
  /** The RSV_* rejection code (RSV_HOLD_EXPIRED, ...). */
  code: string;
  /** Explanation in English. */
  message: string;
}

/**
 * The hold ended without a booking (HoldExpired or HoldReleased).
 *
 * Avro record `io.seatstream.payment.HoldEnded`.
 */
export interface HoldEnded {
  /** How it ended. */
  reason: HoldEndReason;
}

/** Avro enum `io.seatstream.payment.HoldEndReason`. */
export type HoldEndReason = 'EXPIRED' | 'RELEASED';

/**
 * The booking made from the hold was cancelled (BookingCancelled): its payment is refunded.
 *
 * Avro record `io.seatstream.payment.BookingCancelled`.
 */
export interface BookingCancelled {
  /** The cancelled booking. */
  bookingId: string;
  /**
   * Reason given, null if none.
   *
   * @defaultValue `null`
   */
  reason: null | { string: string };
}

/**
 * A provider webhook whose signature the API verified.
 *
 * Avro record `io.seatstream.payment.ProviderNotified`.
 */
export interface ProviderNotified {
  /** Provider name. */
  provider: string;
  /** The provider's event id. */
  providerEventId: string;
  /** authorised, declined, captured, voided, refunded or other. */
  kind: string;
  /**
   * The provider's payment id, if any.
   *
   * @defaultValue `null`
   */
  paymentId: null | { string: string };
}
