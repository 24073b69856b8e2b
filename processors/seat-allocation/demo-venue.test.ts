import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { availabilityOf } from './availability.js';
import { decide, evolve } from './decider.js';
import { concertHall, seatCount, stadium } from './demo-venue.js';
import { emptyInventory } from './inventory.js';
import type { EventDefinition } from './model.js';
import { buildSeatMap, validateDefinition } from './seatMap.js';

const T = Date.UTC(2026, 0, 15, 9);

const defined = (def: EventDefinition) => {
  const inv = emptyInventory(def.eventId);
  for (const e of decide({ type: 'ApplyCatalog', definition: def }, inv)) evolve(inv, e);
  return inv;
};

describe('demo venues', () => {
  it('the concert hall: a few thousand seats in stalls and balcony, a standing pit, four categories', () => {
    const def = concertHall({ onSaleAt: T });
    assert.deepEqual(validateDefinition(def), []);
    const seats = seatCount(def);
    assert.ok(seats >= 2500 && seats <= 4000, `${seats} seats`);
    assert.deepEqual(
      def.priceCategories.map((c) => c.id),
      ['VIP', 'CAT1', 'CAT2', 'STANDING'],
    );
    const ga = def.venue.sections.filter((s) => s.kind === 'generalAdmission');
    assert.deepEqual(
      ga.map((s) => [s.id, s.capacity, s.priceCategoryId]),
      [['PIT', 450, 'STANDING']],
    );
    const used = new Set(
      def.venue.sections.flatMap((s) => s.rows.flatMap((r) => r.runs.map((run) => run.priceCategoryId))),
    );
    assert.deepEqual([...used].sort(), ['CAT1', 'CAT2', 'VIP']);
    assert.equal(def.offSaleAt - def.onSaleAt, 60 * 86_400_000);
  });

  it('rows curve around the stage: every seat of a row is at about the same distance from the stage front', () => {
    const def = concertHall({ onSaleAt: T });
    for (const s of def.venue.sections.filter((x) => x.id.startsWith('ST'))) {
      const radii = s.rows.map((r) =>
        r.runs.flatMap((run) => [0, run.count - 1].map((k) => Math.hypot(run.x + k * run.dx, run.y + k * run.dy))),
      );
      radii.forEach((row, i) => {
        assert.ok(Math.max(...row) - Math.min(...row) < 1.5, `${s.id} row ${i}: ${row}`);
        if (i > 0)
          assert.ok(Math.min(...row) > Math.max(...radii[i - 1]!) - 1.5, `${s.id}: row ${i} is behind row ${i - 1}`);
      });
    }
  });

  it('the best seat is in the front centre of the stalls', () => {
    const map = buildSeatMap(concertHall({ onSaleAt: T }));
    const best = map.seatIds[map.runStart[map.runsByDistance[0]!]!]!;
    assert.match(best, /^ST3-A-/);
  });

  it('is deterministic: the same seed gives the same definition, another seed other wheelchair bays', () => {
    assert.deepEqual(concertHall({ onSaleAt: T, seed: 7 }), concertHall({ onSaleAt: T, seed: 7 }));
    const ids = (def: EventDefinition) => buildSeatMap(def).seatIds.join();
    assert.notEqual(ids(concertHall({ onSaleAt: T, seed: 7 })), ids(concertHall({ onSaleAt: T, seed: 8 })));
    assert.equal(concertHall({ onSaleAt: T, seed: 7 }).eventId, 'demo-concert-7');
    assert.equal(concertHall({ onSaleAt: T, eventId: 'x' }).eventId, 'x');
  });

  it('the stadium has exactly 50,000 seats (or as many as asked), valid, in three categories', () => {
    const def = stadium({ onSaleAt: T });
    assert.deepEqual(validateDefinition(def), []);
    assert.equal(seatCount(def), 50_000);
    assert.equal(def.venue.sections.length, 64);
    assert.deepEqual(
      def.priceCategories.map((c) => c.id),
      ['CAT1', 'CAT2', 'CAT3'],
    );
    const small = stadium({ onSaleAt: T, seats: 20_000, pitchStanding: 3000 });
    assert.deepEqual(validateDefinition(small), []);
    assert.equal(seatCount(small), 20_000);
    assert.equal(small.venue.sections[0]!.capacity, 3000);
    assert.deepEqual(stadium({ onSaleAt: T }), def);
  });

  it('the allocator takes both: the availability snapshot counts every seat and place', () => {
    const hall = availabilityOf(defined(concertHall({ onSaleAt: T })))!;
    assert.equal(hall.totals.free, seatCount(concertHall({ onSaleAt: T })) + 450);
    const arena = availabilityOf(defined(stadium({ onSaleAt: T })))!;
    assert.equal(arena.totals.total, 50_000);
  });
});
