// Generated from schemas/partner-sales.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * Sales counters of one event across every channel (topic partner.sales.v1, compacted, key = eventId), updated with
 * every booking or cancellation. Each record is complete: keep the one with the highest version. Counts only: no
 * buyer, no amount.
 *
 * Avro record `io.seatstream.partner.PartnerSales`.
 */
export interface PartnerSales {
  /** The event (also the Kafka key). */
  eventId: string;
  /** Number of bookings and cancellations counted so far; increases with every record of the event. */
  version: number;
  /**
   * Time of the last booking or cancellation counted (UTC epoch milliseconds).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  asOf: number;
  /** Bookings confirmed since the sale opened. */
  bookings: number;
  /** Bookings cancelled since the sale opened. */
  cancellations: number;
  /** Seats and general-admission places in confirmed bookings (cancelled ones included). */
  ticketsSold: number;
  /** Seats and places of the cancelled bookings. */
  ticketsCancelled: number;
  /** ticketsSold - ticketsCancelled: tickets currently sold. */
  ticketsNet: number;
  /** The same counts per sales channel, in alphabetical order of channel; partners are counted together. */
  byChannel: PartnerChannelSales[];
}

/**
 * Sales counters of one channel.
 *
 * Avro record `io.seatstream.partner.PartnerChannelSales`.
 */
export interface PartnerChannelSales {
  /** Sales channel: 'web', 'app', 'box_office', 'partner' (all partners together), or 'unknown'. */
  channel: string;
  /** Bookings confirmed through this channel. */
  bookings: number;
  /** Bookings of this channel cancelled. */
  cancellations: number;
  /** Seats and places in this channel's confirmed bookings. */
  ticketsSold: number;
  /** Seats and places of this channel's cancelled bookings. */
  ticketsCancelled: number;
}
