// Generated from schemas/notification.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * Something a user is told (topic notifications.v1, key = userId), already rendered in their language; the channels
 * (WebSocket push, e-mail, in-app inbox) deliver it unless the user opted out of them.
 *
 * Avro record `io.seatstream.notification.Notification`.
 */
export interface Notification {
  /** Derived from what caused it, so a repeat of the cause gives the same id (delivery deduplicates on it). */
  notificationId: string;
  /** The recipient (also the Kafka key). */
  userId: string;
  /** What it is about. */
  kind: NotificationKind;
  /** The language it is written in: en, fr or ar. */
  locale: string;
  /** Text direction of that language: ltr or rtl. */
  direction: string;
  /** Subject line. */
  title: string;
  /** Plain-text body. */
  body: string;
  /**
   * The event concerned, if any.
   *
   * @defaultValue `null`
   */
  eventId: null | { string: string };
  /**
   * The hold concerned, if any.
   *
   * @defaultValue `null`
   */
  holdId: null | { string: string };
  /**
   * The booking concerned, if any.
   *
   * @defaultValue `null`
   */
  bookingId: null | { string: string };
  /**
   * When what it tells happened.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  occurredAt: number;
}

/** Avro enum `io.seatstream.notification.NotificationKind`. */
export type NotificationKind = 'BOOKING_CONFIRMED' | 'PAYMENT_FAILED' | 'HOLD_EXPIRING' | 'EVENT_CHANGED' | 'EVENT_CANCELLED' | 'BOOKING_REFUNDED';
