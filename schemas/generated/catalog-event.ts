// Generated from schemas/catalog-event.avsc by `npm run schemas:gen`. Do not edit: change the .avsc and regenerate.
// The values avsc decodes with schemas/avsc.ts options ({ wrapUnions: true }): a union is null or a one-key object
// naming its branch; long is number; bytes and fixed are Buffer; logical types are not converted.

/**
 * The full current definition of one event (topic catalog.events.v1, compacted, key = eventId). Every record replaces
 * the previous one for its eventId; a tombstone (null value) deletes it. The seat map is described by runs of seats
 * so that a 60,000-seat stadium stays a few hundred kilobytes. Identifiers (eventId aside) of sections, rows and
 * price categories match [A-Za-z0-9_]+ (no '-'), so that a seat id '<sectionId>-<rowId>-<number>' is unique and
 * stable.
 *
 * Avro record `io.seatstream.catalog.CatalogEvent`.
 */
export interface CatalogEvent {
  /** Stable id of the event; the Kafka key of every topic about this event. */
  eventId: string;
  /** Id of the organizer account that owns the event. */
  organizerId: string;
  /** Display name of the event. */
  name: string;
  /**
   * When the event itself starts (UTC epoch milliseconds), null while not announced. Informational: the sale window
   * below governs reservations.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   *
   * @defaultValue `null`
   */
  startsAt: null | { long: number };
  /**
   * The venue and its seat map as used for this event (an event may use a subset or a variant of a venue's layout).
   */
  venue: Venue;
  /**
   * ISO 4217 code of every price of the event (one currency per event, so holds and bookings have one total), e.g.
   * 'SAR', 'AED', 'KWD'.
   */
  currency: string;
  /** Price categories of the event, in display order. */
  priceCategories: PriceCategory[];
  /**
   * Start of the sale window (inclusive): holds are accepted from this instant.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  onSaleAt: number;
  /**
   * End of the sale window (exclusive): holds are refused from this instant; holds granted before may still be
   * confirmed.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  offSaleAt: number;
  /** Maximum number of seats and places one buyer may hold and own at once for this event (held + sold). */
  maxTicketsPerBuyer: number;
  /** How long a hold lasts before it expires, in milliseconds (typically 10 to 15 minutes). */
  holdDurationMs: number;
  /**
   * Publication status. SCHEDULED and ON_SALE: reservations follow the sale window (ON_SALE is set by operations for
   * display; the window alone decides). SALE_PAUSED: holds refused until resumed. SALE_ENDED: holds refused.
   * CANCELLED: holds and confirmations refused; existing bookings stay until cancelled (refund flow).
   */
  status: EventStatus;
  /**
   * Revision of this definition, incremented by the catalog on every change; a consumer ignores a record whose
   * version is not above the one it holds.
   */
  version: number;
  /**
   * When this revision was written.
   *
   * Avro `long` with logical type `timestamp-millis`, not converted.
   */
  updatedAt: number;
}

/**
 * A venue layout: sections, their rows and seats, and the focus point that ranks seats.
 *
 * Avro record `io.seatstream.catalog.Venue`.
 */
export interface Venue {
  /** Stable id of the venue. */
  id: string;
  /** Display name of the venue. */
  name: string;
  /**
   * City of the venue, null if unknown.
   *
   * @defaultValue `null`
   */
  city: null | { string: string };
  /**
   * The point the audience looks at (stage or pitch centre), in seat-map coordinates. Best available = the free seats
   * closest to this point (Euclidean distance of the seat coordinates).
   */
  focus: Point;
  /** Sections in drawing order. Their order also defines the order of sections in event.availability.v1. */
  sections: Section[];
}

/**
 * A point of the seat-map drawing plane (SVG-like user units, x to the right, y downwards).
 *
 * Avro record `io.seatstream.catalog.Point`.
 */
export interface Point {
  /** Horizontal coordinate. */
  x: number;
  /** Vertical coordinate (grows downwards). */
  y: number;
}

/**
 * A section of the venue: seated (rows of numbered seats) or general admission (a capacity of unnumbered places).
 *
 * Avro record `io.seatstream.catalog.Section`.
 */
export interface Section {
  /** Stable id of the section, [A-Za-z0-9_]+, unique within the event; first part of its seat ids. */
  id: string;
  /** Display name, e.g. 'North Stand, Block 112'. */
  name: string;
  /**
   * SEATED: rows of seats, sold seat by seat. GENERAL_ADMISSION: a number of unnumbered places (standing pit, lawn),
   * sold by quantity.
   */
  kind: SectionKind;
  /**
   * GENERAL_ADMISSION only: number of places for sale. Null for SEATED sections (their capacity is their seats).
   *
   * @defaultValue `null`
   */
  capacity: null | { int: number };
  /**
   * GENERAL_ADMISSION only: the price category of every place of the section. Null for SEATED sections (each run of
   * seats names its own).
   *
   * @defaultValue `null`
   */
  priceCategoryId: null | { string: string };
  /** SEATED only: rows in seat-map order (front to back as drawn). Empty for GENERAL_ADMISSION. */
  rows: Row[];
}

/** Avro enum `io.seatstream.catalog.SectionKind`. */
export type SectionKind = 'SEATED' | 'GENERAL_ADMISSION';

/**
 * A row of seats, made of one or more runs of evenly spaced seats (a gap or a bend starts a new run).
 *
 * Avro record `io.seatstream.catalog.Row`.
 */
export interface Row {
  /** Stable id of the row, [A-Za-z0-9_]+, unique within its section; middle part of its seat ids. */
  id: string;
  /** Row label printed on tickets and drawn on the map, e.g. 'AA' or '12'. */
  label: string;
  /**
   * Runs of seats in seat-map order (left to right as drawn). Seats are adjacent for best-available purposes only
   * within one run; two runs of a row are separated by an aisle or a gap.
   */
  runs: SeatRun[];
}

/**
 * count seats numbered firstNumber, firstNumber + numberStep, ...; seat k (0-based) is drawn at (x + k*dx, y + k*dy).
 * The seat id of number n is '<sectionId>-<rowId>-<n>', e.g. 'A-12-7'; its label is n in decimal.
 *
 * Avro record `io.seatstream.catalog.SeatRun`.
 */
export interface SeatRun {
  /** Number of the first seat of the run. */
  firstNumber: number;
  /** Number of seats in the run, >= 1. */
  count: number;
  /**
   * Difference between consecutive seat numbers: 1, 2 for odd/even numbering, negative when numbers decrease left to
   * right; never 0.
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
  /** Price category of every seat of the run (split a run to change category). */
  priceCategoryId: string;
}

/**
 * A price level shared by a set of seats or general-admission places.
 *
 * Avro record `io.seatstream.catalog.PriceCategory`.
 */
export interface PriceCategory {
  /** Stable id, [A-Za-z0-9_]+, unique within the event. */
  id: string;
  /** Display name, e.g. 'Category 1'. */
  name: string;
  /**
   * Price of one seat or place in minor units of the event's currency (ISO 4217 exponent: 2 for SAR/AED, 3 for
   * KWD/BHD/OMR/JOD).
   */
  priceMinor: number;
  /**
   * CSS colour used to draw the category on the seat map, e.g. '#1f77b4'; null for the client's default palette.
   *
   * @defaultValue `null`
   */
  color: null | { string: string };
}

/** Avro enum `io.seatstream.catalog.EventStatus`. */
export type EventStatus = 'SCHEDULED' | 'ON_SALE' | 'SALE_PAUSED' | 'SALE_ENDED' | 'CANCELLED';
