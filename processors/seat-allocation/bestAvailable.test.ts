/**
 * The pruned best-available search against an exhaustive one, on random occupancy of a venue with
 * rows of several runs and curved (dy ≠ 0) runs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findBestAvailable } from './bestAvailable.js';
import { EventInventory, FREE, emptyInventory, reindex } from './inventory.js';
import { EventDefinition, HeldSeat } from './model.js';
import { definition } from './fixtures.js';

function venue(): EventDefinition {
  const d = definition({ maxTicketsPerBuyer: 50 });
  d.venue.focus = { x: 100, y: -20 };
  d.venue.sections = ['L', 'C', 'R'].map((id, si) => ({
    id,
    name: id,
    kind: 'seated' as const,
    capacity: null,
    priceCategoryId: null,
    rows: Array.from({ length: 6 }, (_, r) => ({
      id: String(r + 1),
      label: String(r + 1),
      runs: [
        {
          firstNumber: 1,
          count: 5,
          numberStep: 1,
          x: si * 70,
          y: 10 * r,
          dx: 6,
          dy: si === 1 ? 0 : 1.5,
          priceCategoryId: r < 2 ? 'VIP' : 'STD',
        },
        { firstNumber: 6, count: 4, numberStep: 1, x: si * 70 + 36, y: 10 * r, dx: 6, dy: 0, priceCategoryId: 'STD' },
      ],
    })),
  }));
  return d;
}

/** An inventory of the venue with the given seats held (by direct index, no decider involved). */
function occupied(taken: boolean[]): EventInventory {
  const inv = emptyInventory('evt-1');
  inv.definition = venue();
  reindex(inv);
  const map = inv.map!;
  const seats: HeldSeat[] = [];
  taken.forEach((t, i) => {
    if (t && i < map.seatCount)
      seats.push({
        seatId: map.seatIds[i]!,
        sectionId: '',
        rowLabel: '',
        seatLabel: '',
        priceCategoryId: 'STD',
        priceMinor: 0,
      });
  });
  inv.holds.set('H-x', {
    holdId: 'H-x',
    buyerId: 'x',
    seats,
    ga: null,
    totalMinor: 0,
    currency: 'SAR',
    heldAt: 0,
    expiresAt: 1,
  });
  reindex(inv);
  return inv;
}

/** Every window of q free adjacent seats in one matching run, best by (no orphan, summed distance, position). */
function exhaustive(inv: EventInventory, q: number, section: number, category: number): number[] | null {
  const m = inv.map!;
  let best: { orphan: boolean; score: number; start: number } | null = null;
  for (let r = 0; r < m.runStart.length; r++) {
    if (section >= 0 && m.runSection[r] !== section) continue;
    if (category >= 0 && m.runCategory[r] !== category) continue;
    const start = m.runStart[r]!;
    const end = start + m.runLength[r]!;
    for (let s = start; s + q <= end; s++) {
      let ok = true;
      let score = 0;
      for (let k = s; k < s + q; k++) {
        ok &&= inv.seatState[k] === FREE;
        score += m.seatDistance[k]!;
      }
      if (!ok) continue;
      const freeRun = (from: number, step: number) => {
        let n = 0;
        for (let k = from; k >= start && k < end && inv.seatState[k] === FREE; k += step) n++;
        return n;
      };
      const orphan = freeRun(s - 1, -1) === 1 || freeRun(s + q, 1) === 1;
      const c = { orphan, score, start: s };
      if (!best || (orphan !== best.orphan ? !orphan : score !== best.score ? score < best.score : s < best.start))
        best = c;
    }
  }
  return best ? Array.from({ length: q }, (_, k) => best!.start + k) : null;
}

describe('findBestAvailable', () => {
  it('finds what an exhaustive search finds, and otherwise splits over exactly the free seats it needs', () => {
    const seatCount = 3 * 6 * 9;
    fc.assert(
      fc.property(
        fc
          .tuple(fc.integer({ min: 0, max: 100 }), fc.array(fc.nat(99), { minLength: seatCount, maxLength: seatCount }))
          .map(([density, dice]) => dice.map((d) => d < density)),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: -1, max: 2 }),
        fc.integer({ min: -1, max: 1 }),
        (taken, q, section, category) => {
          const inv = occupied(taken);
          const found = findBestAvailable(inv, q, { section, category });
          const expected = exhaustive(inv, q, section, category);
          if (expected) {
            assert.deepEqual(found, expected);
            return;
          }
          const m = inv.map!;
          const matching = Array.from({ length: m.seatCount }, (_, i) => i).filter(
            (i) =>
              inv.seatState[i] === FREE &&
              (section < 0 || m.seatSection[i] === section) &&
              (category < 0 || m.seatCategory[i] === category),
          );
          if (matching.length < q) assert.equal(found, null);
          else {
            assert.equal(found!.length, q);
            assert.equal(new Set(found).size, q);
            for (const i of found!) assert.ok(matching.includes(i));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
