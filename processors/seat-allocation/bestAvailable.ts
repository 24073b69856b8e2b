/**
 * Best-available search: which free seats to offer for "N seats, section S, category C".
 *
 * Preference, in order:
 *  1. N adjacent seats in one run (a run is a stretch of a row without aisle or gap) leaving no
 *     single orphan seat, i.e. no lone free seat between the chosen block and a taken seat or the
 *     run's end;
 *  2. N adjacent seats in one run, even if that leaves an orphan;
 *  3. otherwise the fewest blocks: repeatedly the best block of the largest size still available.
 * Within one preference, the block whose seats' summed distance to the venue's focus is lowest
 * wins; ties go to the block first in seat-map order.
 *
 * Runs are visited best first (by their closest seat) and the search stops as soon as no later run
 * can beat the block found, so on a venue with free seats near the front it reads a few rows, not
 * the venue; runs with fewer than N free seats are skipped in O(1).
 */
import { EventInventory, FREE } from './inventory.js';

export interface SeatFilter {
  /** Section index in the seat map, -1 for any seated section. */
  section: number;
  /** Price category index, -1 for any. */
  category: number;
}

interface Window {
  start: number;
  score: number;
  orphan: boolean;
}

/** Seat indices (in seat-map order) of the best `quantity` free seats, or null if fewer are free. */
export function findBestAvailable(inv: EventInventory, quantity: number, filter: SeatFilter): number[] | null {
  const map = inv.map;
  if (!map || quantity < 1) return null;
  const runs = filter.section >= 0 ? map.sections[filter.section]!.runsByDistance : map.runsByDistance;
  const together = bestWindow(inv, runs, quantity, filter.category, null);
  if (together) return range(together.start, quantity);

  let free = 0;
  for (const r of runs) if (filter.category < 0 || map.runCategory[r] === filter.category) free += inv.runFree[r]!;
  if (free < quantity) return null;

  const taken = new Set<number>();
  const chosen: number[] = [];
  for (let remaining = quantity; remaining > 0;) {
    const size = Math.min(remaining, largestBlock(inv, runs, filter.category, taken));
    const w = bestWindow(inv, runs, size, filter.category, taken)!;
    for (const s of range(w.start, size)) {
      taken.add(s);
      chosen.push(s);
    }
    remaining -= size;
  }
  return chosen.sort((a, b) => a - b);
}

const range = (start: number, n: number): number[] => Array.from({ length: n }, (_, k) => start + k);

/** Best block of `q` adjacent free seats within one run, or null. `taken` masks seats already chosen. */
function bestWindow(
  inv: EventInventory,
  runs: Int32Array,
  q: number,
  category: number,
  taken: Set<number> | null,
): Window | null {
  const map = inv.map!;
  const state = inv.seatState;
  const dist = map.seatDistance;
  const isFree = (i: number) => state[i] === FREE && !(taken && taken.has(i));
  let best: Window | null = null;
  for (const r of runs) {
    if (category >= 0 && map.runCategory[r] !== category) continue;
    if (inv.runFree[r]! < q) continue;
    if (best && !best.orphan && q * map.runMinDistance[r]! > best.score) break;
    const end = map.runStart[r]! + map.runLength[r]!;
    for (let i = map.runStart[r]!; i < end;) {
      if (!isFree(i)) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < end && isFree(j)) j++;
      const length = j - i;
      if (length >= q) {
        for (let o = 0; o + q <= length; o++) {
          let score = 0;
          for (let k = i + o; k < i + o + q; k++) score += dist[k]!;
          const orphan = o === 1 || length - q - o === 1;
          if (!best || better(orphan, score, i + o, best)) best = { start: i + o, score, orphan };
        }
      }
      i = j;
    }
  }
  return best;
}

function better(orphan: boolean, score: number, start: number, than: Window): boolean {
  if (orphan !== than.orphan) return !orphan;
  if (score !== than.score) return score < than.score;
  return start < than.start;
}

function largestBlock(inv: EventInventory, runs: Int32Array, category: number, taken: Set<number>): number {
  const map = inv.map!;
  let largest = 0;
  for (const r of runs) {
    if (category >= 0 && map.runCategory[r] !== category) continue;
    if (inv.runFree[r]! <= largest) continue;
    let length = 0;
    const end = map.runStart[r]! + map.runLength[r]!;
    for (let i = map.runStart[r]!; i < end; i++) {
      length = inv.seatState[i] === FREE && !taken.has(i) ? length + 1 : 0;
      if (length > largest) largest = length;
    }
  }
  return largest;
}
