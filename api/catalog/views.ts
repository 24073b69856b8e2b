/**
 * What buyers see of a seat map and of an availability snapshot. Pure.
 *
 * Seats are listed in seat-map order, the order of the seat allocator's `buildSeatMap` (sections, their rows, their
 * runs, the run's seats) and of the packed per-seat states of event.availability.v1: seat ids, labels, rows and
 * categories come from `buildSeatMap` itself, so they are the allocator's, and coordinates from the same runs
 * (seat k of a run is drawn at (x + k·dx, y + k·dy)).
 */
import { seatStatusAt } from '../../processors/seat-allocation/availability.js';
import type { EventDefinition, PriceCategoryDef, VenueDef } from '../../processors/seat-allocation/model.js';
import { buildSeatMap, type SeatMap } from '../../processors/seat-allocation/seatMap.js';

export interface SeatView {
  id: string;
  sectionId: string;
  rowId: string;
  /** The row's label as printed. */
  row: string;
  /** The seat's label as printed (its number). */
  label: string;
  priceCategoryId: string;
  x: number;
  y: number;
}

export interface ExpandedSeatMap {
  map: SeatMap;
  seats: SeatView[];
}

/** Seat-map units to a millimetre (catalog coordinates are Avro floats: 0.52 reads back as 0.5199999809...). */
export const roundCoordinate = (v: number): number => Math.round(v * 1000) / 1000;

/** The allocator's seat map needs a definition; only the venue and the categories matter to it. */
const asDefinition = (venue: VenueDef, priceCategories: PriceCategoryDef[]): EventDefinition => ({
  eventId: '',
  organizerId: '',
  name: '',
  startsAt: null,
  venue,
  currency: '',
  priceCategories,
  onSaleAt: 0,
  offSaleAt: 0,
  maxTicketsPerBuyer: 1,
  holdDurationMs: 1,
  status: 'scheduled',
  version: 0,
  updatedAt: 0,
});

export function expandSeatMap(venue: VenueDef, priceCategories: PriceCategoryDef[]): ExpandedSeatMap {
  const map = buildSeatMap(asDefinition(venue, priceCategories));
  const seats: SeatView[] = new Array<SeatView>(map.seatCount);
  let i = 0;
  for (const s of venue.sections)
    for (const r of s.rows)
      for (const run of r.runs)
        for (let k = 0; k < run.count; k++, i++)
          seats[i] = {
            id: map.seatIds[i]!,
            sectionId: s.id,
            rowId: r.id,
            row: map.seatRowLabel[i]!,
            label: map.seatLabel[i]!,
            priceCategoryId: run.priceCategoryId,
            x: roundCoordinate(run.x + k * run.dx),
            y: roundCoordinate(run.y + k * run.dy),
          };
  return { map, seats };
}

export const seatStatusNames = ['FREE', 'HELD', 'SOLD', 'UNAVAILABLE'] as const;
export type SeatStatusName = (typeof seatStatusNames)[number];

export interface SeatStatusView {
  id: string;
  status: SeatStatusName;
}

/**
 * Every seat's state from a snapshot's packed sections (base64 of 2 bits per seat), in seat-map order. A section
 * whose packed states do not cover its seats (a snapshot of another revision of the map) is left out.
 */
export function seatStatuses(
  map: SeatMap,
  sections: { sectionId: string; seatStatus: string }[],
  which: 'all' | 'taken',
): SeatStatusView[] {
  const packed = new Map(sections.map((s) => [s.sectionId, Buffer.from(s.seatStatus, 'base64')]));
  const out: SeatStatusView[] = [];
  for (const s of map.sections) {
    const n = s.seatEnd - s.seatStart;
    const bytes = packed.get(s.def.id);
    if (n === 0 || !bytes || bytes.length < Math.ceil(n / 4)) continue;
    for (let i = 0; i < n; i++) {
      const status = seatStatusNames[seatStatusAt(bytes, i)]!;
      if (which === 'all' || status !== 'FREE') out.push({ id: map.seatIds[s.seatStart + i]!, status });
    }
  }
  return out;
}

/** A small LRU of expanded seat maps by event and catalog version: a 50,000-seat map takes tens of ms to expand. */
export class SeatMapCache {
  private readonly entries = new Map<string, ExpandedSeatMap>();
  constructor(private readonly max = 16) {}

  get(eventId: string, version: number, make: () => ExpandedSeatMap): ExpandedSeatMap {
    const key = `${version}\u0000${eventId}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const made = make();
    this.entries.set(key, made);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return made;
  }
}

/**
 * Serialized responses by key (event, version, variant), least recently used dropped beyond a byte budget: a stadium's
 * seat map is 6 MB of JSON and its per-seat availability 2 MB, tens of ms of CPU to serialize, asked by every buyer
 * at an on-sale peak while the version changes a few times a second at most.
 */
export class ResponseCache {
  private readonly entries = new Map<string, string>();
  private bytes = 0;
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(key: string): string | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, body: string): void {
    if (body.length > this.maxBytes) return;
    const had = this.entries.get(key);
    if (had !== undefined) {
      this.bytes -= had.length;
      this.entries.delete(key);
    }
    this.entries.set(key, body);
    this.bytes += body.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }
}
