/**
 * The availability snapshot of an event (event.availability.v1): counts per section and price
 * category, and the 2-bit state of every seat in seat-map order.
 *
 * The inventory keeps the tallies and the packed seat states up to date on every seat change
 * (inventory.ts), so a snapshot costs a copy of ceil(seats / 4) bytes plus a pass over sections and
 * categories; `inventory.version` says whether anything changed since the last one.
 */
import { EventInventory, FREE, HELD, SOLD, freePlaces } from './inventory.js';

export interface Counts {
  free: number;
  held: number;
  sold: number;
  total: number;
}

export interface SectionAvailability {
  sectionId: string;
  generalAdmission: boolean;
  counts: Counts;
  /** 2 bits per seat, most significant pair first: 0 free, 1 held, 2 sold (see event-availability.avsc). */
  seatStatus: Uint8Array;
}

export interface PriceCategoryAvailability {
  priceCategoryId: string;
  counts: Counts;
}

export interface Availability {
  eventId: string;
  version: number;
  asOf: number;
  catalogVersion: number;
  totals: Counts;
  sections: SectionAvailability[];
  priceCategories: PriceCategoryAvailability[];
}

/** The runtime publishes a snapshot of an event at most this often while it changes. */
export const AVAILABILITY_INTERVAL_MS = 250;

/** Whether a new snapshot is due: something changed since `last` and the interval has passed. */
export const availabilityDue = (
  inv: EventInventory,
  last: { version: number; at: number } | undefined,
  now: number,
): boolean =>
  inv.definition !== null && (!last || (inv.version !== last.version && now - last.at >= AVAILABILITY_INTERVAL_MS));

const counts = (free: number, held: number, sold: number): Counts => ({ free, held, sold, total: free + held + sold });

function add(into: Map<string, Counts>, id: string, free: number, held: number, sold: number): void {
  const c = into.get(id) ?? counts(0, 0, 0);
  into.set(id, counts(c.free + free, c.held + held, c.sold + sold));
}

/** The current snapshot, or null while the event is not defined. */
export function availabilityOf(inv: EventInventory): Availability | null {
  const map = inv.map;
  if (!inv.definition || !map) return null;
  const bySection = new Map<string, Counts>();
  const byCategory = new Map<string, Counts>();
  for (const c of map.categories) byCategory.set(c.id, counts(0, 0, 0));

  map.sections.forEach((s, si) => {
    if (s.def.kind === 'generalAdmission') {
      const [free, held, sold] = [freePlaces(inv, si), inv.gaHeld[si]!, inv.gaSold[si]!];
      add(bySection, s.def.id, free, held, sold);
      add(byCategory, map.categories[s.priceCategory]!.id, free, held, sold);
    } else {
      const t = inv.sectionTally;
      add(bySection, s.def.id, t[si * 3 + FREE]!, t[si * 3 + HELD]!, t[si * 3 + SOLD]!);
    }
  });
  map.categories.forEach((c, ci) => {
    const t = inv.categoryTally;
    add(byCategory, c.id, t[ci * 3 + FREE]!, t[ci * 3 + HELD]!, t[ci * 3 + SOLD]!);
  });
  const retainedGa = new Set<string>();
  for (const r of inv.retainedSeats.values()) {
    const [held, sold] = r.state === HELD ? [1, 0] : [0, 1];
    add(bySection, r.sectionId, 0, held, sold);
    add(byCategory, r.priceCategoryId, 0, held, sold);
  }
  for (const [sectionId, r] of inv.retainedPlaces) {
    if (!bySection.has(sectionId)) retainedGa.add(sectionId);
    add(bySection, sectionId, 0, r.held, r.sold);
    add(byCategory, r.priceCategoryId, 0, r.held, r.sold);
  }

  const sections: SectionAvailability[] = map.sections.map((s, si) => ({
    sectionId: s.def.id,
    generalAdmission: s.def.kind === 'generalAdmission',
    counts: bySection.get(s.def.id)!,
    seatStatus: inv.packed[si]!.slice(),
  }));
  for (const [sectionId, c] of bySection)
    if (!map.sectionIndex.has(sectionId))
      sections.push({
        sectionId,
        generalAdmission: retainedGa.has(sectionId),
        counts: c,
        seatStatus: new Uint8Array(0),
      });

  let totals = counts(0, 0, 0);
  for (const s of sections)
    totals = counts(totals.free + s.counts.free, totals.held + s.counts.held, totals.sold + s.counts.sold);
  return {
    eventId: inv.eventId,
    version: inv.version,
    asOf: inv.asOf,
    catalogVersion: inv.definition.version,
    totals,
    sections,
    priceCategories: [...byCategory].map(([priceCategoryId, c]) => ({ priceCategoryId, counts: c })),
  };
}

/** The state of seat `i` of a section's packed `seatStatus` (the decoding a client performs). */
export const seatStatusAt = (seatStatus: Uint8Array, i: number): number =>
  (seatStatus[i >> 2]! >> (6 - 2 * (i & 3))) & 3;
