/** Where the router publishes decisions made by the real (pure) decider, and snapshots. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import {
  EVENT,
  HOLD_MS,
  T0,
  cancel,
  confirm,
  definition,
  holdGa,
  holdSeats,
  expire,
} from '../../processors/seat-allocation/fixtures.js';
import { emptyInventory } from '../../processors/seat-allocation/inventory.js';
import type {
  BookingConfirmed,
  ReservationCommand,
  ReservationDecision,
  SeatsHeld,
} from '../../processors/seat-allocation/model.js';
import { availabilityOf } from '../../processors/seat-allocation/availability.js';
import { availabilityView } from '../../processors/seat-allocation/availabilityView.js';
import { channelsFor, parsePushMessage } from './channels.js';
import { routeAvailability, routeDecision } from './routing.js';

const channels = channelsFor('t:');

function hall() {
  const inv = emptyInventory(EVENT);
  for (const e of decide({ type: 'ApplyCatalog', definition: definition() }, inv)) evolve(inv, e);
  const run = (cmd: ReservationCommand): ReservationDecision[] => {
    const events = decide(cmd, inv);
    for (const e of events) evolve(inv, e);
    return events.filter((e): e is ReservationDecision => 'meta' in e);
  };
  return { inv, run };
}

describe('push routing', () => {
  it('sends a decision to the waiting replica (reply-to) and to its buyer', () => {
    const { run } = hall();
    const [held] = run(holdSeats('alice', ['A-1-1'], { requestId: 'r1' }));
    const out = routeDecision(channels, held!, 'api-7');
    assert.deepEqual(
      out.map((p) => p.channel),
      ['t:reply:api-7', 't:user:alice'],
    );
    const m = parsePushMessage(out[0]!.payload);
    assert.equal(m?.kind, 'decision');
    assert.deepEqual(m?.kind === 'decision' && m.decision, held);
  });

  it('without reply-to, on the request channel the waiting replica listens to', () => {
    const { run } = hall();
    const [refused] = run(holdSeats('bob', ['Z-1-1'], { requestId: 'r2' }));
    assert.deepEqual(
      routeDecision(channels, refused!, null).map((p) => p.channel),
      ['t:decision:r2', 't:user:bob'],
    );
  });

  it('a replay only answers the retried request; an expiry only tells the buyer', () => {
    const { run } = hall();
    run(holdGa('carol', 'GA', 2, { requestId: 'r3' }));
    const [replay] = run(holdGa('carol', 'GA', 2, { requestId: 'r3' }));
    assert.equal(replay!.meta.replay, true);
    assert.deepEqual(
      routeDecision(channels, replay!, 'api-1').map((p) => p.channel),
      ['t:reply:api-1'],
    );
    const [expired] = run(expire(T0 + 1000 + HOLD_MS));
    assert.equal(expired!.type, 'HoldExpired');
    assert.deepEqual(
      routeDecision(channels, expired!, null).map((p) => p.channel),
      ['t:user:carol'],
    );
  });

  it("an operator's cancel answers the operator's replica and tells the booking's owner, not the operator", () => {
    const { run } = hall();
    const [held] = run(holdSeats('alice', ['A-1-1'], { requestId: 'r4' })) as [SeatsHeld];
    const [booked] = run(confirm('alice', held.holdId, 'psp-1', { requestId: 'r5' })) as [BookingConfirmed];
    const [cancelled] = run(cancel('admin-1', booked.bookingId, { byOperator: true, requestId: 'r6' }));
    assert.equal(cancelled!.type, 'BookingCancelled');
    assert.deepEqual(
      routeDecision(channels, cancelled!, 'api-2').map((p) => p.channel),
      ['t:reply:api-2', 't:user:alice'],
    );
  });

  it('a snapshot goes to its event channel', () => {
    const { inv, run } = hall();
    run(holdSeats('dave', ['A-2-1'], { requestId: 'r4' }));
    const view = availabilityView(availabilityOf(inv)!);
    const out = routeAvailability(channels, view);
    assert.deepEqual(
      out.map((p) => p.channel),
      [`t:availability:${EVENT}`],
    );
    const m = parsePushMessage(out[0]!.payload);
    assert.deepEqual(m?.kind === 'availability' && m.availability, view);
  });

  it('ids that cannot name a channel are not routed', () => {
    const { run } = hall();
    const [held] = run(holdSeats('x y', ['A-3-1'], { requestId: 'has space' }));
    assert.deepEqual(routeDecision(channels, held!, 'bad reply'), []);
  });

  it('unknown payloads are not taken for messages', () => {
    for (const text of [
      '',
      'x',
      '[]',
      '{"v":2,"kind":"decision","decision":{"type":"SeatsHeld"}}',
      '{"v":1,"kind":"other"}',
      '{"v":1,"kind":"notification","notification":{"id":"n1"}}',
    ])
      assert.equal(parsePushMessage(text), null, text);
  });

  it("a user's notification is a message the gateways relay", () => {
    const notification = {
      id: 'n1',
      kind: 'booking_confirmed',
      locale: 'ar',
      direction: 'rtl',
      title: 'تم تأكيد الحجز',
      body: 'مقعدان',
      eventId: 'e1',
      holdId: null,
      bookingId: 'B-1',
      occurredAt: 1,
    };
    assert.deepEqual(parsePushMessage(JSON.stringify({ v: 1, kind: 'notification', notification })), {
      v: 1,
      kind: 'notification',
      notification,
    });
  });
});
