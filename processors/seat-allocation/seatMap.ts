/**
 * The seat map of one catalog revision, flattened into typed arrays for fast deciding.
 *
 * Seats get a dense index in seat-map order (sections, their rows, their runs, the run's seats),
 * so that a section's seats are one contiguous range. A run is the unit of adjacency: two seats
 * are neighbours only when they are consecutive in one run. Built once per catalog revision and
 * never mutated.
 */
import { EventDefinition, PriceCategoryDef, SectionDef, seatIdOf } from './model.js';

export interface SectionIndex {
  def: SectionDef;
  /** Seats of the section: [seatStart, seatEnd). Empty for general admission. */
  seatStart: number;
  seatEnd: number;
  /** The section's runs, best (closest to the focus) first. */
  runsByDistance: Int32Array;
  /** General admission only: index of its price category, else -1. */
  priceCategory: number;
}

export interface SeatMap {
  definition: EventDefinition;
  seatCount: number;
  seatIds: string[];
  seatIndex: Map<string, number>;
  seatLabel: string[];
  seatSection: Int32Array;
  seatRowLabel: string[];
  seatCategory: Int32Array;
  /**
   * Distance to the venue's focus in 1/1024 units, rounded to an integer so that sums over blocks
   * are exact and equally good blocks tie exactly (then seat-map order decides). Lower is better.
   */
  seatDistance: Float64Array;
  seatRun: Int32Array;
  runStart: Int32Array;
  runLength: Int32Array;
  runCategory: Int32Array;
  runSection: Int32Array;
  runMinDistance: Float64Array;
  /** Every run of the venue, best first. */
  runsByDistance: Int32Array;
  sections: SectionIndex[];
  sectionIndex: Map<string, number>;
  categories: PriceCategoryDef[];
  categoryIndex: Map<string, number>;
}

const idPattern = /^[A-Za-z0-9_]+$/;

/** Problems that make a definition unusable (an empty list when it is consistent). */
export function validateDefinition(def: EventDefinition): string[] {
  const problems: string[] = [];
  const categories = new Set<string>();
  for (const c of def.priceCategories) {
    if (!idPattern.test(c.id)) problems.push(`price category id '${c.id}' is not [A-Za-z0-9_]+`);
    if (categories.has(c.id)) problems.push(`price category '${c.id}' is defined twice`);
    if (!Number.isSafeInteger(c.priceMinor) || c.priceMinor < 0)
      problems.push(`price of '${c.id}' is not a natural number`);
    categories.add(c.id);
  }
  if (!Number.isInteger(def.maxTicketsPerBuyer) || def.maxTicketsPerBuyer < 1) problems.push('maxTicketsPerBuyer < 1');
  if (!(def.holdDurationMs > 0)) problems.push('holdDurationMs <= 0');
  if (!(def.onSaleAt <= def.offSaleAt)) problems.push('onSaleAt is after offSaleAt');
  const sections = new Set<string>();
  const seats = new Set<string>();
  for (const s of def.venue.sections) {
    if (!idPattern.test(s.id)) problems.push(`section id '${s.id}' is not [A-Za-z0-9_]+`);
    if (sections.has(s.id)) problems.push(`section '${s.id}' is defined twice`);
    sections.add(s.id);
    if (s.kind === 'generalAdmission') {
      if (s.capacity === null || !Number.isInteger(s.capacity) || s.capacity < 0)
        problems.push(`general-admission section '${s.id}' has no valid capacity`);
      if (s.priceCategoryId === null || !categories.has(s.priceCategoryId))
        problems.push(`general-admission section '${s.id}' has no known price category`);
      if (s.rows.length > 0) problems.push(`general-admission section '${s.id}' has rows`);
      continue;
    }
    const rows = new Set<string>();
    for (const r of s.rows) {
      if (!idPattern.test(r.id)) problems.push(`row id '${s.id}/${r.id}' is not [A-Za-z0-9_]+`);
      if (rows.has(r.id)) problems.push(`row '${s.id}/${r.id}' is defined twice`);
      rows.add(r.id);
      for (const run of r.runs) {
        if (!categories.has(run.priceCategoryId))
          problems.push(`row '${s.id}/${r.id}' uses unknown price category '${run.priceCategoryId}'`);
        if (!Number.isInteger(run.count) || run.count < 1) problems.push(`row '${s.id}/${r.id}' has a run of < 1 seat`);
        if (!Number.isInteger(run.numberStep) || run.numberStep === 0)
          problems.push(`row '${s.id}/${r.id}' has a run with numberStep 0`);
        for (let k = 0; k < run.count && run.numberStep !== 0; k++) {
          const id = seatIdOf(s.id, r.id, run.firstNumber + k * run.numberStep);
          if (seats.has(id)) problems.push(`seat '${id}' is defined twice`);
          seats.add(id);
        }
      }
    }
  }
  return problems;
}

/** Flattens a (valid) definition. */
export function buildSeatMap(def: EventDefinition): SeatMap {
  const categories = def.priceCategories;
  const categoryIndex = new Map(categories.map((c, i) => [c.id, i]));
  let seatCount = 0;
  let runCount = 0;
  for (const s of def.venue.sections)
    for (const r of s.rows)
      for (const run of r.runs) {
        seatCount += run.count;
        runCount++;
      }
  const m: SeatMap = {
    definition: def,
    seatCount,
    seatIds: new Array<string>(seatCount),
    seatIndex: new Map(),
    seatLabel: new Array<string>(seatCount),
    seatSection: new Int32Array(seatCount),
    seatRowLabel: new Array<string>(seatCount),
    seatCategory: new Int32Array(seatCount),
    seatDistance: new Float64Array(seatCount),
    seatRun: new Int32Array(seatCount),
    runStart: new Int32Array(runCount),
    runLength: new Int32Array(runCount),
    runCategory: new Int32Array(runCount),
    runSection: new Int32Array(runCount),
    runMinDistance: new Float64Array(runCount),
    runsByDistance: new Int32Array(0),
    sections: [],
    sectionIndex: new Map(),
    categories,
    categoryIndex,
  };
  const { x: fx, y: fy } = def.venue.focus;
  let seat = 0;
  let runIdx = 0;
  def.venue.sections.forEach((s, si) => {
    m.sectionIndex.set(s.id, si);
    const seatStart = seat;
    const firstRun = runIdx;
    for (const r of s.rows)
      for (const run of r.runs) {
        const category = categoryIndex.get(run.priceCategoryId) ?? -1;
        m.runStart[runIdx] = seat;
        m.runLength[runIdx] = run.count;
        m.runCategory[runIdx] = category;
        m.runSection[runIdx] = si;
        let min = Infinity;
        for (let k = 0; k < run.count; k++, seat++) {
          const n = run.firstNumber + k * run.numberStep;
          const id = seatIdOf(s.id, r.id, n);
          m.seatIds[seat] = id;
          m.seatIndex.set(id, seat);
          m.seatLabel[seat] = String(n);
          m.seatSection[seat] = si;
          m.seatRowLabel[seat] = r.label;
          m.seatCategory[seat] = category;
          m.seatRun[seat] = runIdx;
          const d = Math.round(Math.hypot(run.x + k * run.dx - fx, run.y + k * run.dy - fy) * 1024);
          m.seatDistance[seat] = d;
          if (d < min) min = d;
        }
        m.runMinDistance[runIdx] = min;
        runIdx++;
      }
    m.sections.push({
      def: s,
      seatStart,
      seatEnd: seat,
      runsByDistance: sortRuns(m, firstRun, runIdx),
      priceCategory: s.priceCategoryId === null ? -1 : (categoryIndex.get(s.priceCategoryId) ?? -1),
    });
  });
  m.runsByDistance = sortRuns(m, 0, runCount);
  return m;
}

/** Runs [from, to) ordered by their best seat's distance, ties by position in the map. */
function sortRuns(m: SeatMap, from: number, to: number): Int32Array {
  const runs = Array.from({ length: to - from }, (_, i) => from + i);
  runs.sort((a, b) => m.runMinDistance[a]! - m.runMinDistance[b]! || a - b);
  return Int32Array.from(runs);
}
