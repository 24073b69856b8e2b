import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { definitionToAvro, decisionToAvro, availabilityToAvro } from '../../processors/seat-allocation/codec.js';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import { availabilityOf } from '../../processors/seat-allocation/availability.js';
import {
  EVENT,
  T0,
  definition,
  holdSeats,
  confirm,
  release,
  expire,
  HOLD_MS,
} from '../../processors/seat-allocation/fixtures.js';
import { emptyInventory } from '../../processors/seat-allocation/inventory.js';
import { isPublished, type ReservationCommand } from '../../processors/seat-allocation/model.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { topics } from '../../topics/catalog.js';
import type { SinkInput } from './inputs.js';
import { project } from './projection.js';

let offset = 0;
const at = (topic: string) => ({ topic, partition: 0, offset: offset++ });
const catalog = (version: number, patch = {}): SinkInput => ({
  source: 'catalog',
  at: at(topics.catalogEvents.name),
  key: EVENT,
  value: definitionToAvro(definition({ version, ...patch })),
});
const tombstone = (): SinkInput => ({ source: 'catalog', at: at(topics.catalogEvents.name), key: EVENT, value: null });

/** Decisions of commands decided by the real decider, as reservation inputs. */
function decisions(commands: ReservationCommand[]): { inputs: SinkInput[]; values: ReservationEvent[] } {
  const inv = emptyInventory(EVENT);
  for (const e of decide({ type: 'ApplyCatalog', definition: definition() }, inv)) evolve(inv, e);
  const values: ReservationEvent[] = [];
  for (const c of commands)
    for (const d of decide(c, inv)) {
      evolve(inv, d);
      if (isPublished(d)) values.push(decisionToAvro(d));
    }
  return {
    values,
    inputs: values.map((value) => ({
      source: 'reservation',
      at: at(topics.reservationEvents.name),
      key: EVENT,
      value,
    })),
  };
}

describe('projection', () => {
  it('keeps one upsert per event, the highest version after the last tombstone, and deletes before it', () => {
    const p = project([
      catalog(3),
      catalog(5, { name: 'five' }),
      catalog(4),
      tombstone(),
      catalog(2, { name: 'two' }),
      catalog(1),
    ]).plan;
    assert.deepEqual(p.eventDeletes, [EVENT]);
    assert.deepEqual(
      p.eventUpserts.map((e) => [e.version, e.name]),
      [[2, 'two']],
    );
    assert.deepEqual(p.seatMaps.map((m) => m.version).sort(), [1, 2], 'the tombstone dropped the seat maps before it');
    const row = p.eventUpserts[0]!;
    assert.deepEqual([row.seat_count, row.ga_capacity, row.status, row.city], [38, 5, 'ON_SALE', 'Riyadh']);
  });

  it('refuses an inconsistent revision and a key that is not the event, and applies the rest', () => {
    const broken = definitionToAvro(definition({ version: 9 }));
    broken.venue.sections[0]!.rows[0]!.runs[0]!.priceCategoryId = 'NOPE';
    const { plan, refusals, outcomes } = project([
      { source: 'catalog', at: at(topics.catalogEvents.name), key: EVENT, value: broken },
      {
        source: 'catalog',
        at: at(topics.catalogEvents.name),
        key: 'another-event',
        value: definitionToAvro(definition({ version: 10 })),
      },
      catalog(2),
    ]);
    assert.deepEqual(
      refusals.map((r) => r.code),
      ['SS_ERR_SINK_INVALID_CATALOG', 'SS_ERR_SINK_KEY_MISMATCH'],
    );
    assert.match(refusals[0]!.error.message, /unknown price category 'NOPE'/);
    assert.deepEqual(outcomes, ['refused', 'refused', 'applied']);
    assert.deepEqual(
      plan.eventUpserts.map((e) => e.version),
      [2],
    );
  });

  it('folds holds, bookings, decisions and sales; skips replays; an expiry answers no request', () => {
    const hold = holdSeats('ann', ['A-1-1', 'A-1-2'], { at: T0 + 1000 });
    const other = holdSeats('bob', ['A-2-1'], { at: T0 + 2000 });
    const taken = holdSeats('bob', ['A-1-1'], { at: T0 + 3000 });
    const late = holdSeats('cid', ['A-3-1'], { at: T0 + 4000 });
    const { inputs, values } = decisions([
      hold,
      other,
      taken,
      hold, // a retry: replayed
      confirm('ann', `H-${hold.requestId}`, 'pay-9', { at: T0 + 5000 }),
      release('bob', `H-${other.requestId}`, { at: T0 + 6000 }),
      late,
      expire(T0 + 4000 + HOLD_MS),
    ]);
    assert.equal(values.filter((v) => v.replay).length, 1);
    const { plan, outcomes } = project(inputs);
    assert.equal(outcomes.filter((o) => o === 'replay').length, 1);
    assert.deepEqual(
      plan.holdInserts.map((h) => [h.hold_id, h.buyer_id, h.tickets]),
      [
        [`H-${hold.requestId}`, 'ann', 2],
        [`H-${other.requestId}`, 'bob', 1],
        [`H-${late.requestId}`, 'cid', 1],
      ],
    );
    assert.deepEqual(
      plan.holdEnds.map((e) => [e.hold_id, e.status]),
      [
        [`H-${hold.requestId}`, 'CONFIRMED'],
        [`H-${other.requestId}`, 'RELEASED'],
        [`H-${late.requestId}`, 'EXPIRED'],
      ],
    );
    assert.deepEqual(
      plan.bookingInserts.map((b) => [b.buyer_id, b.payment_reference, b.tickets, b.total_minor]),
      [['ann', 'pay-9', 2, 100_000]],
    );
    assert.deepEqual(
      plan.decisions.map((d) => [d.kind, d.outcome, d.code]),
      [
        ['SeatsHeld', 'ACCEPTED', null],
        ['SeatsHeld', 'ACCEPTED', null],
        ['HoldRejected', 'REJECTED', 'RSV_SEAT_UNAVAILABLE'],
        ['BookingConfirmed', 'ACCEPTED', null],
        ['HoldReleased', 'ACCEPTED', null],
        ['SeatsHeld', 'ACCEPTED', null],
      ],
    );
    assert.deepEqual(plan.sales, [
      {
        event_id: EVENT,
        decisions: 7,
        holds: 3,
        rejections: 1,
        releases: 1,
        expiries: 1,
        bookings: 1,
        cancellations: 0,
        tickets_held: 0,
        tickets_sold: 2,
        revenue_minor: 100_000,
      },
    ]);
  });

  it('keeps the highest availability version of the batch', () => {
    const inv = emptyInventory(EVENT);
    for (const e of decide({ type: 'ApplyCatalog', definition: definition() }, inv)) evolve(inv, e);
    const first = availabilityToAvro(availabilityOf(inv)!);
    for (const e of decide(holdSeats('ann', ['B-1-1'], { at: T0 + 1000 }), inv)) evolve(inv, e);
    const second = availabilityToAvro(availabilityOf(inv)!);
    const input = (value: typeof first): SinkInput => ({
      source: 'availability',
      at: at(topics.eventAvailability.name),
      key: EVENT,
      value,
    });
    const { plan } = project([input(second), input(first)]);
    assert.deepEqual(
      plan.availabilityUpserts.map((a) => [a.version, a.totals.held]),
      [[second.version, 1]],
    );
    assert.equal(
      Buffer.from(plan.availabilityUpserts[0]!.sections[1]!.seatStatus, 'base64')[0],
      0b0100_0000,
      'B-1-1 held',
    );
  });
});
