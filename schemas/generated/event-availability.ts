// Generated from schemas/event-availability.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * Snapshot of what is free, held and sold for one event (topic event.availability.v1, compacted, key = eventId),
 * emitted by the seat allocator at most every few hundred milliseconds while the event changes. Each record is
 * complete: a consumer keeps the one with the highest version.
 *
 * Avro record `io.seatstream.availability.EventAvailability`.
 */
export interface EventAvailability {
  /** The event (also the Kafka key). */
  eventId: string;
  /** Increases with every change of the inventory (monotonic per event), so consumers can drop stale snapshots. */
  version: number;
  /**
   * Decider time of the last change included (occurredAt of the last decision applied).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  asOf: number;
  /**
   * version of the catalog.events.v1 definition whose seat map orders seatStatus below; a client draws with that
   * revision of the map.
   */
  catalogVersion: number;
  /** Counts over the whole event, seats and general-admission places together. */
  totals: Counts;
  /**
   * One entry per section of the seat map, in seat-map order; then sections removed from the map that still have held
   * or sold seats.
   */
  sections: SectionAvailability[];
  /**
   * One entry per price category of the event, in catalog order, counting seats and general-admission places at their
   * current category.
   */
  priceCategories: PriceCategoryAvailability[];
}

/**
 * Seats or places by state; total = free + held + sold.
 *
 * Avro record `io.seatstream.availability.Counts`.
 */
export interface Counts {
  /** On sale and neither held nor sold (for general admission: the remaining capacity). */
  free: number;
  /** In a live hold. */
  held: number;
  /** In a booking. */
  sold: number;
  /**
   * free + held + sold. Includes seats removed from the seat map after they were held or sold, until they are
   * released.
   */
  total: number;
}

/**
 * Availability of one section.
 *
 * Avro record `io.seatstream.availability.SectionAvailability`.
 */
export interface SectionAvailability {
  /** The section. */
  sectionId: string;
  /**
   * True for a GENERAL_ADMISSION section: counts are places and counts.free is the remaining capacity; seatStatus is
   * empty.
   */
  generalAdmission: boolean;
  /** Seats or places of the section by state. */
  counts: Counts;
  /**
   * Status of every seat of the section in seat-map order (rows in order, within a row its runs in order, within a
   * run seat 0 to count-1), 2 bits per seat: 0 = free, 1 = held, 2 = sold, 3 = not for sale (reserved). Seat i of the
   * section is in byte floor(i / 4) at bits (7 - 2*(i mod 4)) and (6 - 2*(i mod 4)), most significant pair first:
   * status = (byte >> (6 - 2*(i mod 4))) & 3. Rows are not padded; the unused low bits of the last byte are 0. Length
   * = ceil(seats / 4) bytes. Seats removed from the map are not in it (only in counts).
   */
  seatStatus: Buffer;
}

/**
 * Availability of one price category.
 *
 * Avro record `io.seatstream.availability.PriceCategoryAvailability`.
 */
export interface PriceCategoryAvailability {
  /** The price category. */
  priceCategoryId: string;
  /** Seats and places of the category by state. */
  counts: Counts;
}
