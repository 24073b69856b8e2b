import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availabilityOf } from '../../processors/seat-allocation/availability.js';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import { confirm, definition, holdSeats, T0 } from '../../processors/seat-allocation/fixtures.js';
import { emptyInventory } from '../../processors/seat-allocation/inventory.js';
import { expandSeatMap, ResponseCache, roundCoordinate, SeatMapCache, seatStatuses } from './views.js';

const hall = definition();

describe('seat map views', () => {
  it('lists every seat in seat-map order with its section, row, label, category and position', () => {
    const { seats } = expandSeatMap(hall.venue, hall.priceCategories);
    assert.equal(seats.length, 38);
    assert.deepEqual(seats[0], {
      id: 'A-1-1',
      sectionId: 'A',
      rowId: '1',
      row: 'AA',
      label: '1',
      priceCategoryId: 'VIP',
      x: 5,
      y: 10,
    });
    assert.deepEqual(seats[29], {
      id: 'A-3-10',
      sectionId: 'A',
      rowId: '3',
      row: 'CC',
      label: '10',
      priceCategoryId: 'STD',
      x: 95,
      y: 30,
    });
    // Section B's second run starts after the aisle.
    assert.deepEqual(
      seats.slice(33, 35).map((s) => [s.id, s.x]),
      [
        ['B-1-4', 140],
        ['B-1-5', 160],
      ],
    );
    assert.equal(new Set(seats.map((s) => s.id)).size, 38);
    assert.equal(roundCoordinate(0.5199999809265137), 0.52);
  });

  it('decodes every seat’s state from a snapshot; "taken" lists held and sold seats only', () => {
    const inv = emptyInventory(hall.eventId);
    for (const e of decide({ type: 'ApplyCatalog', definition: hall }, inv)) evolve(inv, e);
    const h1 = holdSeats('ann', ['A-1-1', 'A-1-2'], { at: T0 + 1000 });
    for (const cmd of [
      h1,
      holdSeats('bob', ['B-1-8'], { at: T0 + 2000 }),
      confirm('ann', `H-${h1.requestId}`, 'p', { at: T0 + 3000 }),
    ])
      for (const e of decide(cmd, inv)) evolve(inv, e);
    const a = availabilityOf(inv)!;
    const sections = a.sections.map((s) => ({
      sectionId: s.sectionId,
      seatStatus: Buffer.from(s.seatStatus).toString('base64'),
    }));
    const { map } = expandSeatMap(hall.venue, hall.priceCategories);
    const all = seatStatuses(map, sections, 'all');
    assert.equal(all.length, 38);
    assert.equal(all.filter((s) => s.status === 'FREE').length, 35);
    assert.deepEqual(seatStatuses(map, sections, 'taken'), [
      { id: 'A-1-1', status: 'SOLD' },
      { id: 'A-1-2', status: 'SOLD' },
      { id: 'B-1-8', status: 'HELD' },
    ]);
    // A section whose packed states do not cover its seats (another revision of the map) is left out.
    const short = sections.map((s) => (s.sectionId === 'A' ? { ...s, seatStatus: 'AA==' } : s));
    assert.deepEqual(seatStatuses(map, short, 'taken'), [{ id: 'B-1-8', status: 'HELD' }]);
  });

  it('keeps the most recently used expansions', () => {
    const cache = new SeatMapCache(2);
    let made = 0;
    const make = () => {
      made++;
      return expandSeatMap(hall.venue, hall.priceCategories);
    };
    cache.get('e1', 1, make);
    cache.get('e2', 1, make);
    cache.get('e1', 1, make);
    cache.get('e3', 1, make); // evicts e2
    cache.get('e1', 1, make);
    assert.equal(made, 3);
    cache.get('e2', 1, make);
    cache.get('e1', 2, make); // another version is another map
    assert.equal(made, 5);
  });

  it('keeps serialized responses within a byte budget, least recently used out first', () => {
    const cache = new ResponseCache(10);
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    assert.equal(cache.get('a'), 'aaaa');
    cache.set('c', 'cccc'); // 12 bytes: b, the least recently used, goes
    assert.deepEqual([cache.get('a'), cache.get('b'), cache.get('c')], ['aaaa', undefined, 'cccc']);
    cache.set('huge', 'x'.repeat(11)); // larger than the budget: not kept
    assert.equal(cache.get('huge'), undefined);
    assert.equal(cache.get('c'), 'cccc');
  });
});
