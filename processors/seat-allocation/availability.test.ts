import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AVAILABILITY_INTERVAL_MS, availabilityDue, availabilityOf, seatStatusAt } from './availability.js';
import { decide, evolve } from './decider.js';
import { EVENT, T0, confirm, definition, holdGa, holdSeats } from './fixtures.js';
import { EventInventory, emptyInventory } from './inventory.js';
import { SeatCommand } from './model.js';

function run(inv: EventInventory, ...commands: SeatCommand[]): EventInventory {
  for (const c of commands) for (const e of decide(c, inv)) evolve(inv, e);
  return inv;
}

const defined = () => run(emptyInventory(EVENT), { type: 'ApplyCatalog', definition: definition() });
const c = (free: number, held: number, sold: number) => ({ free, held, sold, total: free + held + sold });

describe('availability', () => {
  it('is null until the event is defined', () => {
    assert.equal(availabilityOf(emptyInventory(EVENT)), null);
  });

  it('counts every seat and place of a fresh event as free', () => {
    const a = availabilityOf(defined())!;
    assert.deepEqual(a.totals, c(43, 0, 0));
    assert.deepEqual(
      a.sections.map((s) => [s.sectionId, s.generalAdmission, s.counts, s.seatStatus.length]),
      [
        ['A', false, c(30, 0, 0), 8],
        ['B', false, c(8, 0, 0), 2],
        ['GA', true, c(5, 0, 0), 0],
      ],
    );
    assert.deepEqual(
      a.priceCategories.map((p) => [p.priceCategoryId, p.counts]),
      [
        ['VIP', c(10, 0, 0)],
        ['STD', c(28, 0, 0)],
        ['GA', c(5, 0, 0)],
      ],
    );
    assert.equal(a.catalogVersion, 1);
  });

  it('packs seat states two bits each, most significant pair first', () => {
    const inv = run(
      defined(),
      holdSeats('alice', ['A-1-2'], { requestId: 'h1' }),
      holdSeats('bob', ['A-1-3', 'A-3-10'], { requestId: 'h2' }),
      confirm('bob', 'H-h2', 'psp', { requestId: 'c2' }),
      holdGa('carol', 'GA', 2, { requestId: 'h3' }),
    );
    const a = availabilityOf(inv)!;
    const seats = a.sections[0]!.seatStatus;
    assert.equal(seats[0], 0b00_01_10_00);
    assert.equal(seatStatusAt(seats, 29), 2);
    assert.deepEqual(
      Array.from({ length: 30 }, (_, i) => seatStatusAt(seats, i)).filter((s) => s !== 0),
      [1, 2, 2],
    );
    assert.equal(seats[7]! & 0b1111, 0, 'unused low bits of the last byte are 0');
    assert.deepEqual(a.sections[0]!.counts, c(27, 1, 2));
    assert.deepEqual(a.sections[2]!.counts, c(3, 2, 0));
    assert.deepEqual(a.totals, c(38, 3, 2));
    assert.deepEqual(a.priceCategories[0]!.counts, c(8, 1, 1)); // VIP: A-1-2 held, A-1-3 sold
    assert.deepEqual(a.priceCategories[1]!.counts, c(27, 0, 1)); // STD: A-3-10 sold
  });

  it('increases the version on every change, not on rejections', () => {
    const inv = defined();
    const v0 = inv.version;
    run(inv, holdSeats('alice', ['A-1-1'], { requestId: 'x1', at: T0 + 5 }));
    assert.equal(inv.version, v0 + 1);
    assert.equal(availabilityOf(inv)!.asOf, T0 + 5);
    run(inv, holdSeats('bob', ['A-1-1'], { requestId: 'x2' }));
    assert.equal(inv.version, v0 + 1);
  });

  it('counts seats and places removed from the map while taken', () => {
    const inv = run(
      defined(),
      holdSeats('alice', ['A-1-10'], { requestId: 'h1' }),
      holdGa('bob', 'GA', 2, { requestId: 'h2' }),
    );
    const revised = definition({ version: 2 });
    revised.venue.sections[0]!.rows[0]!.runs[0]!.count = 9;
    revised.venue.sections.pop();
    run(inv, { type: 'ApplyCatalog', definition: revised });
    const a = availabilityOf(inv)!;
    assert.deepEqual(a.sections[0]!.counts, c(29, 1, 0));
    assert.equal(a.sections[0]!.seatStatus.length, 8); // 29 seats
    assert.deepEqual(
      a.sections.map((s) => [s.sectionId, s.generalAdmission]),
      [
        ['A', false],
        ['B', false],
        ['GA', true],
      ],
    );
    assert.deepEqual(a.sections[2]!.counts, c(0, 2, 0));
    assert.deepEqual(a.totals, c(37, 3, 0));
  });

  it('is due when something changed and the interval has passed', () => {
    const inv = defined();
    assert.equal(availabilityDue(inv, undefined, 0), true);
    const last = { version: inv.version, at: 1000 };
    assert.equal(availabilityDue(inv, last, 5000), false);
    run(inv, holdSeats('alice', ['A-1-1']));
    assert.equal(availabilityDue(inv, last, 1000 + AVAILABILITY_INTERVAL_MS - 1), false);
    assert.equal(availabilityDue(inv, last, 1000 + AVAILABILITY_INTERVAL_MS), true);
  });
});
