// Generated from schemas/partner-catalog-event.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * An event as published to partners (topic partner.catalog.v1, compacted, key = eventId): the full current
 * definition, every record replacing the previous one for its eventId; a tombstone (null value) withdraws the event.
 * Derived from the internal catalog without the organiser's account or any personal data. Identifiers of sections,
 * rows and price categories match [A-Za-z0-9_]+; a seat id is '<sectionId>-<rowId>-<number>'.
 *
 * Avro record `io.seatstream.partner.PartnerEvent`.
 */
export interface PartnerEvent {
  /** Stable id of the event; the Kafka key of every partner topic about this event. */
  eventId: string;
  /**
   * Revision of the definition, increasing with every change: keep the record with the highest version (an older one
   * may arrive after a newer one only after a replay).
   */
  version: number;
  /** Title of the event as the organiser published it, e.g. 'Riyadh Season Opening Night'. */
  title: string;
  /**
   * When the event starts (UTC epoch milliseconds); null while not announced.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   *
   * @defaultValue `null`
   */
  startsAt: null | { long: number };
  /**
   * Publication status. SCHEDULED and ON_SALE: tickets sell inside the sale window. SALE_PAUSED: no sale until
   * resumed. SALE_ENDED: no more sale. CANCELLED: the event will not take place.
   */
  status: PartnerEventStatus;
  /**
   * Start of the sale window (inclusive, UTC epoch milliseconds).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  onSaleAt: number;
  /**
   * End of the sale window (exclusive, UTC epoch milliseconds).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  offSaleAt: number;
  /** Most seats and places one buyer may hold and own at once for this event. */
  maxTicketsPerBuyer: number;
  /** ISO 4217 code of every price of the event, e.g. 'SAR', 'AED', 'KWD'. */
  currency: string;
  /** Price categories in display order. */
  priceCategories: PartnerPriceCategory[];
  /** The venue and its seat map as used for this event. */
  venue: PartnerVenue;
  /**
   * When this revision was published (UTC epoch milliseconds).
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  updatedAt: number;
}

/** Avro enum `io.seatstream.partner.PartnerEventStatus`. */
export type PartnerEventStatus = 'SCHEDULED' | 'ON_SALE' | 'SALE_PAUSED' | 'SALE_ENDED' | 'CANCELLED';

/**
 * A price level shared by a set of seats or general-admission places.
 *
 * Avro record `io.seatstream.partner.PartnerPriceCategory`.
 */
export interface PartnerPriceCategory {
  /** Stable id, unique within the event. */
  priceCategoryId: string;
  /** Display label, e.g. 'Category 1'. */
  label: string;
  /**
   * Price of one seat or place in minor units of the currency (ISO 4217 exponent: 2 for SAR and AED, 3 for KWD, BHD,
   * OMR, JOD).
   */
  priceMinor: number;
  /**
   * CSS colour for seat maps, e.g. '#1f77b4'; null for your own palette.
   *
   * @defaultValue `null`
   */
  color: null | { string: string };
}

/**
 * A venue layout: sections, their rows and seats, and the point the audience faces.
 *
 * Avro record `io.seatstream.partner.PartnerVenue`.
 */
export interface PartnerVenue {
  /** Stable id of the venue. */
  venueId: string;
  /** Display label of the venue, e.g. 'King Fahd Stadium'. */
  label: string;
  /**
   * City of the venue; null if not given.
   *
   * @defaultValue `null`
   */
  city: null | { string: string };
  /** The stage or pitch centre in seat-map coordinates: best seats are the closest to it. */
  focus: PartnerPoint;
  /** Sections in drawing order; partner.availability.v1 lists sections in this order. */
  sections: PartnerSection[];
}

/**
 * A point of the seat-map drawing plane (x to the right, y downwards).
 *
 * Avro record `io.seatstream.partner.PartnerPoint`.
 */
export interface PartnerPoint {
  /** Horizontal coordinate. */
  x: number;
  /** Vertical coordinate (grows downwards). */
  y: number;
}

/**
 * A seated section (rows of numbered seats) or a general-admission one (a capacity of unnumbered places).
 *
 * Avro record `io.seatstream.partner.PartnerSection`.
 */
export interface PartnerSection {
  /** Stable id of the section; first part of its seat ids. */
  sectionId: string;
  /** Display label, e.g. 'North Stand, Block 112'. */
  label: string;
  /** SEATED: rows of seats sold seat by seat. GENERAL_ADMISSION: unnumbered places sold by quantity. */
  kind: PartnerSectionKind;
  /**
   * GENERAL_ADMISSION only: places for sale; null for a seated section.
   *
   * @defaultValue `null`
   */
  capacity: null | { int: number };
  /**
   * GENERAL_ADMISSION only: the price category of its places; null for a seated section.
   *
   * @defaultValue `null`
   */
  priceCategoryId: null | { string: string };
  /** SEATED only: rows front to back as drawn; empty for general admission. */
  rows: PartnerRow[];
}

/** Avro enum `io.seatstream.partner.PartnerSectionKind`. */
export type PartnerSectionKind = 'SEATED' | 'GENERAL_ADMISSION';

/**
 * A row of seats made of runs of evenly spaced seats.
 *
 * Avro record `io.seatstream.partner.PartnerRow`.
 */
export interface PartnerRow {
  /** Stable id of the row within its section; middle part of its seat ids. */
  rowId: string;
  /** Row label as printed on tickets, e.g. 'AA' or '12'. */
  label: string;
  /** Runs of seats left to right as drawn; seats are adjacent only within a run. */
  runs: PartnerSeatRun[];
}

/**
 * count seats numbered firstNumber, firstNumber + numberStep, ...; seat k (0-based) is drawn at (x + k*dx, y + k*dy)
 * and its id is '<sectionId>-<rowId>-<number>'.
 *
 * Avro record `io.seatstream.partner.PartnerSeatRun`.
 */
export interface PartnerSeatRun {
  /** Number of the first seat of the run. */
  firstNumber: number;
  /** Seats in the run, at least 1. */
  count: number;
  /**
   * Difference between consecutive seat numbers (1; 2 for odd/even numbering; negative when numbers decrease left to
   * right).
   *
   * @defaultValue `1`
   */
  numberStep: number;
  /** Horizontal coordinate of the first seat's centre. */
  x: number;
  /** Vertical coordinate of the first seat's centre. */
  y: number;
  /** Horizontal offset from one seat of the run to the next. */
  dx: number;
  /**
   * Vertical offset from one seat of the run to the next.
   *
   * @defaultValue `0`
   */
  dy: number;
  /** Price category of every seat of the run. */
  priceCategoryId: string;
}
