import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import { definition } from '../../processors/seat-allocation/fixtures.js';
import {
  capacity,
  categoriesUsed,
  eventProblems,
  sectionsView,
  toSections,
  venueProblems,
  type StoredEvent,
} from './definition.js';

const hall = definition();
const stored = (patch: Partial<StoredEvent> = {}): StoredEvent => ({
  eventId: 'e',
  organizerId: 'o',
  venue: hall.venue,
  name: hall.name,
  startsAt: null,
  currency: 'SAR',
  priceCategories: hall.priceCategories,
  onSaleAt: 0,
  offSaleAt: 1_000,
  maxTicketsPerBuyer: 4,
  holdDurationMs: 600_000,
  status: 'SCHEDULED',
  version: 1,
  updatedAt: 0,
  ...patch,
});

describe('catalog definitions', () => {
  it('round-trips seat maps between the API form and the allocator’s', () => {
    for (const venue of [hall.venue, concertHall({ onSaleAt: 0 }).venue])
      assert.deepEqual(toSections(sectionsView(venue.sections)), venue.sections);
    assert.deepEqual(capacity(hall.venue.sections), { seats: 38, places: 5 });
    assert.deepEqual(categoriesUsed(hall.venue.sections), ['VIP', 'STD', 'GA']);
  });

  it('accepts a consistent venue and names what is wrong with others', () => {
    assert.deepEqual(venueProblems(hall.venue), []);
    const [a, b, ga] = hall.venue.sections;
    const problems = (sections: typeof hall.venue.sections) => venueProblems({ ...hall.venue, sections });
    assert.match(problems([a!, a!]).join(), /section 'A' is defined twice/);
    assert.match(problems([{ ...a!, capacity: 3 }]).join(), /seated section 'A' has a capacity/);
    assert.match(problems([{ ...b!, rows: [] }]).join(), /no rows/);
    assert.match(problems([{ ...ga!, priceCategoryId: null }]).join(), /no known price category/);
    assert.match(
      problems([
        {
          ...a!,
          rows: [{ ...a!.rows[0]!, runs: [{ ...a!.rows[0]!.runs[0]!, firstNumber: 3 }, a!.rows[0]!.runs[0]!] }],
        },
      ]).join(),
      /seat 'A-1-3' is defined twice/,
    );
    assert.match(
      problems([{ ...a!, rows: [{ ...a!.rows[0]!, runs: [{ ...a!.rows[0]!.runs[0]!, count: 300_000 }] }] }]).join(),
      /more than 200000/,
    );
  });

  it('checks an event with the allocator’s rules: prices for every category used, a forward sale window', () => {
    assert.deepEqual(eventProblems(stored()), []);
    assert.match(
      eventProblems(stored({ priceCategories: hall.priceCategories.slice(1) })).join(),
      /unknown price category 'VIP'/,
    );
    assert.match(eventProblems(stored({ onSaleAt: 2_000 })).join(), /onSaleAt is after offSaleAt/);
    assert.match(eventProblems(stored({ offSaleAt: 0 })).join(), /offSaleAt must be after onSaleAt/);
  });
});
