// Generated from schemas/payment-result.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * A step of the payment saga (topic payment.results.v1, key = holdId), written exactly once in the saga's transaction
 * together with its state.
 *
 * Avro record `io.seatstream.payment.PaymentResult`.
 */
export interface PaymentResult {
  /** The hold (also the Kafka key). */
  holdId: string;
  /** The event of the hold. */
  eventId: string;
  /** The buyer. */
  buyerId: string;
  /**
   * The checkout this step belongs to, null before any.
   *
   * @defaultValue `null`
   */
  checkoutId: null | { string: string };
  /** Position of this step in the hold's saga (1, 2, ...): read models keep the highest. */
  seq: number;
  /**
   * The buyer's language given at checkout.
   *
   * @defaultValue `null`
   */
  locale: null | { string: string };
  /**
   * When the saga took the step.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  occurredAt: number;
  /** The step. */
  result:
    | { 'io.seatstream.payment.PaymentAuthorised': PaymentAuthorised }
    | { 'io.seatstream.payment.PaymentAttemptFailed': PaymentAttemptFailed }
    | { 'io.seatstream.payment.PaymentCaptured': PaymentCaptured }
    | { 'io.seatstream.payment.PaymentVoided': PaymentVoided }
    | { 'io.seatstream.payment.PaymentRefunded': PaymentRefunded }
    | { 'io.seatstream.payment.CheckoutCompleted': CheckoutCompleted }
    | { 'io.seatstream.payment.CheckoutFailed': CheckoutFailed };
}

/**
 * The provider authorised the amount (not yet charged).
 *
 * Avro record `io.seatstream.payment.PaymentAuthorised`.
 */
export interface PaymentAuthorised {
  /** Provider name. */
  provider: string;
  /** The provider's payment id. */
  paymentId: string;
  /** Authorised amount. */
  amountMinor: number;
  /** ISO 4217 currency. */
  currency: string;
}

/**
 * A provider call failed transiently; it is tried again at nextAttemptAt with the same idempotency key.
 *
 * Avro record `io.seatstream.payment.PaymentAttemptFailed`.
 */
export interface PaymentAttemptFailed {
  /** authorise, capture, void or refund. */
  step: string;
  /** PAY_PROVIDER_TIMEOUT, PAY_PROVIDER_UNAVAILABLE or PAY_CIRCUIT_OPEN. */
  code: string;
  /** What went wrong. */
  message: string;
  /** Attempts made so far. */
  attempt: number;
  /**
   * When the next attempt is due.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  nextAttemptAt: number;
}

/**
 * The authorised amount was charged.
 *
 * Avro record `io.seatstream.payment.PaymentCaptured`.
 */
export interface PaymentCaptured {
  /** The provider's payment id. */
  paymentId: string;
  /** Captured amount. */
  amountMinor: number;
  /** ISO 4217 currency. */
  currency: string;
}

/**
 * The authorisation was cancelled: nothing is charged.
 *
 * Avro record `io.seatstream.payment.PaymentVoided`.
 */
export interface PaymentVoided {
  /** The provider's payment id. */
  paymentId: string;
}

/**
 * A captured payment was refunded (its booking was cancelled, or it could not become one).
 *
 * Avro record `io.seatstream.payment.PaymentRefunded`.
 */
export interface PaymentRefunded {
  /** The provider's payment id. */
  paymentId: string;
  /** The provider's refund id. */
  refundId: string;
  /** Refunded amount. */
  amountMinor: number;
  /** ISO 4217 currency. */
  currency: string;
  /**
   * The cancelled booking, if any.
   *
   * @defaultValue `null`
   */
  bookingId: null | { string: string };
}

/**
 * The hold is a booking and its payment is captured: tickets can be issued.
 *
 * Avro record `io.seatstream.payment.CheckoutCompleted`.
 */
export interface CheckoutCompleted {
  /** The booking. */
  bookingId: string;
  /** The captured payment. */
  paymentId: string;
  /** Amount charged. */
  totalMinor: number;
  /** ISO 4217 currency. */
  currency: string;
  /** The sold seats, empty for general admission. */
  seats: BookedSeat[];
  /**
   * The sold places, null for a seated booking.
   *
   * @defaultValue `null`
   */
  generalAdmission: null | { 'io.seatstream.payment.BookedPlaces': BookedPlaces };
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
 * The checkout ended without a booking; nothing is charged (or it was voided or refunded).
 *
 * Avro record `io.seatstream.payment.CheckoutFailed`.
 */
export interface CheckoutFailed {
  /**
   * Stable reason: PAY_DECLINED, PAY_PROVIDER_TIMEOUT, PAY_PROVIDER_UNAVAILABLE, PAY_PROVIDER_REJECTED,
   * PAY_CIRCUIT_OPEN, PAY_HOLD_EXPIRED, PAY_HOLD_NOT_FOUND, PAY_NOT_HOLD_OWNER, PAY_BOOKING_REJECTED,
   * PAY_CAPTURE_FAILED, PAY_UNKNOWN_PROVIDER.
   */
  code: string;
  /** Explanation in English (clients translate by code). */
  message: string;
  /** True when the saga released the hold (seats back on sale at once); false when the hold is left to expire. */
  holdReleased: boolean;
}
