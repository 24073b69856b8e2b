import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAvsc } from '../../schemas/avsc.js';
import { availabilityOf } from './availability.js';
import {
  availabilityFromAvro,
  availabilityToAvro,
  commandFromAvro,
  commandToAvro,
  decisionFromAvro,
  decisionToAvro,
  definitionFromAvro,
  definitionToAvro,
} from './codec.js';
import { decide, evolve } from './decider.js';
import {
  T0,
  cancel,
  catalogApplied,
  confirm,
  definition,
  expire,
  holdBest,
  holdGa,
  holdSeats,
  release,
} from './fixtures.js';
import { emptyInventory } from './inventory.js';
import { ReservationCommand, ReservationDecision, isPublished } from './model.js';

/** Encodes with the real schema (so the value must be valid for it) and decodes back. */
function throughAvro<T>(file: string, value: T): T {
  const { type } = readAvsc(file);
  const errors: string[] = [];
  assert.ok(
    type.isValid(value, { errorHook: (path) => errors.push(path.join('.')) }),
    `invalid at ${errors.join(', ')}`,
  );
  return type.fromBuffer(type.toBuffer(value)) as T;
}

const commands = (): ReservationCommand[] => [
  {
    ...holdSeats('alice', ['A-1-1', 'A-1-2'], { requestId: 'c1' }),
    partnerId: 'partner-9',
    traceparent: '00-abc-def-01',
  },
  holdBest('bob', 2, { sectionId: 'A', priceCategoryId: 'STD' }, { requestId: 'c2' }),
  holdBest('bob', 1, {}, { requestId: 'c3' }),
  holdGa('carol', 'GA', 2, { requestId: 'c4' }),
  release('alice', 'H-c1', { requestId: 'c5' }),
  confirm('carol', 'H-c4', 'psp-1', { requestId: 'c6' }),
  cancel('carol', 'B-c4', { requestId: 'c7', reason: 'changed plans', byOperator: false }),
  cancel('admin', 'B-c4', { requestId: 'c8', byOperator: true }),
  { ...expire(T0 + 1), channel: null },
];

describe('codec', () => {
  it('round-trips an event definition through catalog-event.avsc', () => {
    const def = definition();
    assert.deepEqual(definitionFromAvro(throughAvro('catalog-event.avsc', definitionToAvro(def))), def);
  });

  it('round-trips every command through reservation-command.avsc', () => {
    for (const c of commands())
      assert.deepEqual(commandFromAvro(throughAvro('reservation-command.avsc', commandToAvro(c))), c);
  });

  it('round-trips every kind of decision through reservation-event.avsc', () => {
    const inv = emptyInventory('evt-1');
    evolve(inv, catalogApplied());
    const decisions: ReservationDecision[] = [];
    for (const c of [
      ...commands().slice(0, 4),
      holdSeats('dave', ['A-1-1'], { requestId: 'c1' }), // replay
      holdSeats('dave', ['A-9-9']),
      release('dave', 'H-c2'),
      ...commands().slice(4),
      holdSeats('erin', ['A-3-1'], { requestId: 'late' }),
      expire(T0 + 1 + 24 * 60 * 60 * 1000),
    ])
      for (const e of decide(c, inv)) {
        evolve(inv, e);
        if (isPublished(e)) decisions.push(e);
      }
    const kinds = new Set(decisions.map((d) => d.type));
    assert.deepEqual([...kinds].sort(), [
      'BookingCancelled',
      'BookingConfirmed',
      'CommandRejected',
      'HoldExpired',
      'HoldRejected',
      'HoldReleased',
      'SeatsHeld',
    ]);
    assert.ok(decisions.some((d) => d.meta.replay));
    for (const d of decisions)
      assert.deepEqual(decisionFromAvro(throughAvro('reservation-event.avsc', decisionToAvro(d))), d);
  });

  it('reads the owner of a cancelled booking from a record written before ownerId existed', () => {
    const cancelled: ReservationDecision = {
      type: 'BookingCancelled',
      meta: {
        requestId: 'r-cancel',
        eventId: 'evt-1',
        buyerId: 'alice',
        occurredAt: T0,
        commandIssuedAt: T0,
        channel: null,
        partnerId: null,
        traceparent: null,
        replay: false,
      },
      bookingId: 'B-r1',
      holdId: 'H-r1',
      seatIds: ['A-1-1'],
      ga: null,
      paymentReference: 'psp-1',
      totalMinor: 100,
      currency: 'SAR',
      reason: null,
      byOperator: false,
      ownerId: 'alice',
    };
    const older = (byOperator: boolean) => {
      const avro = decisionToAvro({ ...cancelled, byOperator });
      const u = avro.decision as { 'io.seatstream.reservation.BookingCancelled': { ownerId: unknown } };
      u['io.seatstream.reservation.BookingCancelled'].ownerId = null;
      return decisionFromAvro(throughAvro('reservation-event.avsc', avro));
    };
    assert.deepEqual(older(false), cancelled, 'the owner asked: the envelope names them');
    assert.deepEqual(older(true), { ...cancelled, byOperator: true, ownerId: null }, 'an operator asked: unknown');
    const remembered = JSON.parse(JSON.stringify({ ...cancelled, ownerId: undefined })) as ReservationDecision;
    assert.deepEqual(decisionFromAvro(decisionToAvro(remembered)), cancelled, 'a decision remembered before ownerId');
  });

  it('round-trips an availability snapshot through event-availability.avsc', () => {
    const inv = emptyInventory('evt-1');
    evolve(inv, catalogApplied());
    for (const c of commands().slice(0, 4)) for (const e of decide(c, inv)) evolve(inv, e);
    const snapshot = availabilityOf(inv)!;
    assert.ok(snapshot.sections[0]!.seatStatus.some((b) => b !== 0));
    assert.deepEqual(
      availabilityFromAvro(throughAvro('event-availability.avsc', availabilityToAvro(snapshot))),
      snapshot,
    );
  });
});
