// Generated from schemas/partner-booking.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * A booking made through your channel, confirmed or cancelled (topic partner.<partnerId>.bookings.v1, key = eventId;
 * only you can read it). A booking appears once CONFIRMED and, if it is cancelled later, once more CANCELLED with the
 * same bookingId. Buyers are pseudonymous: buyerRef is stable for one buyer within your topic and means nothing
 * elsewhere.
 *
 * Avro record `io.seatstream.partner.PartnerBooking`.
 */
export interface PartnerBooking {
  /** Id of the booking, the same on its CONFIRMED and CANCELLED records. */
  bookingId: string;
  /** The event (also the Kafka key); see partner.catalog.v1. */
  eventId: string;
  /** Your partner id (the channel the booking was made through). */
  partnerId: string;
  /**
   * CONFIRMED: the seats or places are sold. CANCELLED: the booking was cancelled and its seats or places are free
   * again.
   */
  status: PartnerBookingStatus;
  /**
   * When the booking was confirmed or cancelled (UTC epoch milliseconds).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  occurredAt: number;
  /**
   * Pseudonymous buyer reference: HMAC-SHA256 of SeatStream's internal buyer id under a secret key of your
   * partnership, base64url (43 characters). The same buyer always gets the same buyerRef in your topic, a different
   * one in any other partner's; it cannot be turned back into an account.
   */
  buyerRef: string;
  /** Seat ids of the booking ('<sectionId>-<rowId>-<number>'); empty for general admission. */
  seatIds: string[];
  /**
   * CONFIRMED: the seats with what a ticket shows and their prices. CANCELLED: empty (see the CONFIRMED record of the
   * same bookingId).
   */
  seats: PartnerBookedSeat[];
  /**
   * General-admission places of the booking; null for a seated booking.
   *
   * @defaultValue `null`
   */
  generalAdmission: null | { 'io.seatstream.partner.PartnerBookedPlaces': PartnerBookedPlaces };
  /** Total price of the booking in minor units of currency. */
  totalMinor: number;
  /** ISO 4217 currency of the prices. */
  currency: string;
  /**
   * CANCELLED only: true when the organiser or SeatStream cancelled it, false when the buyer did (and on CONFIRMED
   * records).
   *
   * @defaultValue `false`
   */
  cancelledByOperator: boolean;
}

/** Avro enum `io.seatstream.partner.PartnerBookingStatus`. */
export type PartnerBookingStatus = 'CONFIRMED' | 'CANCELLED';

/**
 * A booked seat.
 *
 * Avro record `io.seatstream.partner.PartnerBookedSeat`.
 */
export interface PartnerBookedSeat {
  /** Seat id '<sectionId>-<rowId>-<number>'. */
  seatId: string;
  /** Section of the seat. */
  sectionId: string;
  /** Row label as printed. */
  rowLabel: string;
  /** Seat label as printed. */
  seatLabel: string;
  /** Price category of the seat when it was booked. */
  priceCategoryId: string;
  /** Price of the seat in minor units of currency, fixed when it was held. */
  priceMinor: number;
}

/**
 * Unnumbered places in one general-admission section.
 *
 * Avro record `io.seatstream.partner.PartnerBookedPlaces`.
 */
export interface PartnerBookedPlaces {
  /** The general-admission section. */
  sectionId: string;
  /** Number of places. */
  quantity: number;
  /** Price category of the places. */
  priceCategoryId: string;
  /** Price of one place in minor units of currency. */
  unitPriceMinor: number;
}
