// Generated from schemas/partner-availability.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * What is free, held and sold for one event (topic partner.availability.v1, compacted, key = eventId), at most every
 * few hundred milliseconds while it changes. Each record is complete: keep the one with the highest version.
 *
 * Avro record `io.seatstream.partner.PartnerAvailability`.
 */
export interface PartnerAvailability {
  /** The event (also the Kafka key). */
  eventId: string;
  /**
   * Increases with every change of the event's inventory: drop a record whose version is not above the one you hold.
   */
  version: number;
  /**
   * Time of the last change included (UTC epoch milliseconds).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  asOf: number;
  /** Version of the partner.catalog.v1 record whose seat map orders seatStatus: draw with that revision. */
  catalogVersion: number;
  /** Counts over the whole event, seats and general-admission places together. */
  totals: PartnerCounts;
  /**
   * One entry per section of the seat map in catalog order, then sections removed from the map that still have held
   * or sold seats.
   */
  sections: PartnerSectionAvailability[];
  /** One entry per price category in catalog order. */
  priceCategories: PartnerPriceCategoryAvailability[];
}

/**
 * Seats or places by state; total = free + held + sold.
 *
 * Avro record `io.seatstream.partner.PartnerCounts`.
 */
export interface PartnerCounts {
  /** On sale, neither held nor sold (general admission: the remaining capacity). */
  free: number;
  /** In a buyer's hold (a basket awaiting payment); free again if it expires. */
  held: number;
  /** In a confirmed booking. */
  sold: number;
  /** free + held + sold. */
  total: number;
}

/**
 * Availability of one section.
 *
 * Avro record `io.seatstream.partner.PartnerSectionAvailability`.
 */
export interface PartnerSectionAvailability {
  /** The section. */
  sectionId: string;
  /** True for a general-admission section: counts are places and seatStatus is empty. */
  generalAdmission: boolean;
  /** Seats or places of the section by state. */
  counts: PartnerCounts;
  /**
   * Status of every seat of the section in seat-map order (rows in order, within a row its runs in order, within a
   * run seat 0 to count-1), 2 bits per seat, most significant pair first: status of seat i = (byte[floor(i/4)] >> (6
   * - 2*(i mod 4))) & 3, where 0 = free, 1 = held, 2 = sold, 3 = not for sale. Length ceil(seats/4) bytes; unused low
   * bits of the last byte are 0.
   */
  seatStatus: Buffer;
}

/**
 * Availability of one price category.
 *
 * Avro record `io.seatstream.partner.PartnerPriceCategoryAvailability`.
 */
export interface PartnerPriceCategoryAvailability {
  /** The price category. */
  priceCategoryId: string;
  /** Seats and places of the category by state. */
  counts: PartnerCounts;
}
