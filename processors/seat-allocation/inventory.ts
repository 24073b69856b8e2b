/**
 * The in-memory inventory of one event: the facts (definition, holds, bookings, remembered
 * decisions) and the indexes derived from them (seat states, free seats per run, tallies for
 * availability, tickets per buyer).
 *
 * Only the facts are persisted (see storeLayout.ts); the indexes are rebuilt from them on load and
 * on every catalog revision, and kept up to date by the mutators below, which `evolve` calls.
 * Every mutator records the store keys it changes in `dirty`.
 */
import { Booking, EventDefinition, GaPlaces, HeldSeat, Hold, ReservationDecision, ticketCount } from './model.js';
import { SeatMap, buildSeatMap } from './seatMap.js';

export const FREE = 0;
export const HELD = 1;
export const SOLD = 2;
export type SeatState = typeof FREE | typeof HELD | typeof SOLD;

export interface RememberedDecision {
  /** The inventory's clock when decided (monotonic), so that forgetting is a prefix of insertion order. */
  at: number;
  event: ReservationDecision;
}

/** A held or sold seat that the current seat map no longer has: it stays taken until released. */
export interface RetainedSeat {
  sectionId: string;
  priceCategoryId: string;
  state: typeof HELD | typeof SOLD;
}

/** Held or sold places of a general-admission section that the current seat map no longer has. */
export interface RetainedPlaces {
  priceCategoryId: string;
  held: number;
  sold: number;
}

export interface EventInventory {
  eventId: string;
  /** Null until the catalog defines the event. */
  definition: EventDefinition | null;
  map: SeatMap | null;
  holds: Map<string, Hold>;
  bookings: Map<string, Booking>;
  /** Decisions by requestId, oldest first (for idempotency). */
  decisions: Map<string, RememberedDecision>;
  /** Availability version: +1 on every change of what is free, held or sold, or of the seat map. */
  version: number;
  /** Decision time of the last such change. */
  asOf: number;
  /** Latest decision time seen. */
  clock: number;

  seatState: Uint8Array;
  runFree: Int32Array;
  /** Per section of the map, for its seats in the map: [free, held, sold]. */
  sectionTally: Int32Array;
  /** Per price category, for seats in the map: [free, held, sold]. */
  categoryTally: Int32Array;
  /** Per section of the map: 2-bit seat states, see event-availability.avsc. */
  packed: Uint8Array[];
  /** Per section of the map (general admission): places held and sold. */
  gaHeld: Int32Array;
  gaSold: Int32Array;
  buyerTickets: Map<string, number>;
  retainedSeats: Map<string, RetainedSeat>;
  retainedPlaces: Map<string, RetainedPlaces>;

  /** Store keys (relative to the event's prefix, see storeLayout.ts) changed since the last flush. */
  dirty: Set<string>;
}

/// Store keys, relative to the event's prefix (one place; storeLayout.ts adds the prefix)

export const metaKey = 'meta';
export const sectionKey = (sectionId: string): string => `sec/${encodeURIComponent(sectionId)}`;
export const holdKey = (holdId: string): string => `hold/${encodeURIComponent(holdId)}`;
export const bookingKey = (bookingId: string): string => `book/${encodeURIComponent(bookingId)}`;
export const decisionKey = (requestId: string): string => `req/${encodeURIComponent(requestId)}`;

export function emptyInventory(eventId: string): EventInventory {
  return {
    eventId,
    definition: null,
    map: null,
    holds: new Map(),
    bookings: new Map(),
    decisions: new Map(),
    version: 0,
    asOf: 0,
    clock: 0,
    seatState: new Uint8Array(0),
    runFree: new Int32Array(0),
    sectionTally: new Int32Array(0),
    categoryTally: new Int32Array(0),
    packed: [],
    gaHeld: new Int32Array(0),
    gaSold: new Int32Array(0),
    buyerTickets: new Map(),
    retainedSeats: new Map(),
    retainedPlaces: new Map(),
    dirty: new Set(),
  };
}

/** Rebuilds every index from the facts (definition, holds, bookings). O(seats + held and sold tickets). */
export function reindex(inv: EventInventory): void {
  const map = inv.definition ? buildSeatMap(inv.definition) : null;
  inv.map = map;
  const seats = map?.seatCount ?? 0;
  const sections = map?.sections.length ?? 0;
  inv.seatState = new Uint8Array(seats);
  inv.runFree = map ? Int32Array.from(map.runLength) : new Int32Array(0);
  inv.sectionTally = new Int32Array(sections * 3);
  inv.categoryTally = new Int32Array((map?.categories.length ?? 0) * 3);
  inv.packed = [];
  inv.gaHeld = new Int32Array(sections);
  inv.gaSold = new Int32Array(sections);
  inv.buyerTickets = new Map();
  inv.retainedSeats = new Map();
  inv.retainedPlaces = new Map();
  if (map) {
    map.sections.forEach((s, si) => {
      inv.sectionTally[si * 3] = s.seatEnd - s.seatStart;
      inv.packed.push(new Uint8Array(Math.ceil((s.seatEnd - s.seatStart) / 4)));
    });
    for (let i = 0; i < seats; i++) inv.categoryTally[map.seatCategory[i]! * 3]!++;
  }
  for (const h of inv.holds.values()) {
    takeSeats(inv, h.seats, HELD);
    if (h.ga) movePlaces(inv, h.ga, FREE, HELD);
    addTickets(inv, h.buyerId, ticketCount(h));
  }
  for (const b of inv.bookings.values()) {
    takeSeats(inv, b.seats, SOLD);
    if (b.ga) movePlaces(inv, b.ga, FREE, SOLD);
    addTickets(inv, b.buyerId, ticketCount(b));
  }
}

/** Marks that what is free, held or sold changed at decision time `at`. */
export function touch(inv: EventInventory, at: number): void {
  inv.version++;
  if (at > inv.asOf) inv.asOf = at;
  inv.dirty.add(metaKey);
}

export function addTickets(inv: EventInventory, buyerId: string, n: number): void {
  const left = (inv.buyerTickets.get(buyerId) ?? 0) + n;
  if (left > 0) inv.buyerTickets.set(buyerId, left);
  else inv.buyerTickets.delete(buyerId);
}

/** Puts free seats into `to` (HELD or SOLD), or held seats into SOLD. */
export function takeSeats(inv: EventInventory, seats: readonly HeldSeat[], to: typeof HELD | typeof SOLD): void {
  for (const s of seats) {
    const i = inv.map?.seatIndex.get(s.seatId);
    if (i !== undefined) {
      const from = inv.seatState[i]!;
      if (from === SOLD || from === to) throw new Error(`seat ${s.seatId} cannot go from ${from} to ${to}`);
      setSeatState(inv, i, to);
    } else {
      const r = inv.retainedSeats.get(s.seatId);
      if (r && (r.state === SOLD || r.state === to))
        throw new Error(`seat ${s.seatId} cannot go from ${r.state} to ${to}`);
      inv.retainedSeats.set(s.seatId, { sectionId: s.sectionId, priceCategoryId: s.priceCategoryId, state: to });
    }
  }
}

/** Frees held or sold seats. */
export function freeSeats(inv: EventInventory, seatIds: readonly string[]): void {
  for (const id of seatIds) {
    const i = inv.map?.seatIndex.get(id);
    if (i !== undefined) {
      if (inv.seatState[i] === FREE) throw new Error(`seat ${id} is already free`);
      setSeatState(inv, i, FREE);
    } else if (!inv.retainedSeats.delete(id)) throw new Error(`seat ${id} is already free`);
  }
}

function setSeatState(inv: EventInventory, i: number, to: SeatState): void {
  const map = inv.map!;
  const from = inv.seatState[i]!;
  inv.seatState[i] = to;
  const si = map.seatSection[i]!;
  const ci = map.seatCategory[i]!;
  inv.sectionTally[si * 3 + from]!--;
  inv.sectionTally[si * 3 + to]!++;
  inv.categoryTally[ci * 3 + from]!--;
  inv.categoryTally[ci * 3 + to]!++;
  if (from === FREE) inv.runFree[map.seatRun[i]!]!--;
  if (to === FREE) inv.runFree[map.seatRun[i]!]!++;
  const k = i - map.sections[si]!.seatStart;
  const bytes = inv.packed[si]!;
  const shift = 6 - 2 * (k & 3);
  bytes[k >> 2] = (bytes[k >> 2]! & ~(3 << shift)) | (to << shift);
}

/** Moves general-admission places between states (FREE → HELD → SOLD → FREE, HELD → FREE). */
export function movePlaces(inv: EventInventory, ga: GaPlaces, from: SeatState, to: SeatState): void {
  const si = inv.map?.sectionIndex.get(ga.sectionId);
  const q = ga.quantity;
  if (si !== undefined && inv.map!.sections[si]!.def.kind === 'generalAdmission') {
    if (from === HELD) inv.gaHeld[si]! -= q;
    if (from === SOLD) inv.gaSold[si]! -= q;
    if (to === HELD) inv.gaHeld[si]! += q;
    if (to === SOLD) inv.gaSold[si]! += q;
    return;
  }
  const r = inv.retainedPlaces.get(ga.sectionId) ?? { priceCategoryId: ga.priceCategoryId, held: 0, sold: 0 };
  if (from === HELD) r.held -= q;
  if (from === SOLD) r.sold -= q;
  if (to === HELD) r.held += q;
  if (to === SOLD) r.sold += q;
  if (r.held === 0 && r.sold === 0) inv.retainedPlaces.delete(ga.sectionId);
  else inv.retainedPlaces.set(ga.sectionId, r);
}

/** Free places of a general-admission section of the map (never negative, even after a capacity cut). */
export function freePlaces(inv: EventInventory, sectionIndex: number): number {
  const capacity = inv.map!.sections[sectionIndex]!.def.capacity ?? 0;
  return Math.max(0, capacity - inv.gaHeld[sectionIndex]! - inv.gaSold[sectionIndex]!);
}
