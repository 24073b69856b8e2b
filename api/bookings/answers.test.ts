/** What booking requests answer, for decisions made by the real (pure) decider on the small test hall. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import { emptyInventory } from '../../processors/seat-allocation/inventory.js';
import { EVENT, HOLD_MS, T0, definition } from '../../processors/seat-allocation/fixtures.js';
import type { ReservationCommand, ReservationDecision } from '../../processors/seat-allocation/model.js';
import { answerFor, MismatchedDecision, rejectionCodes, rejectionStatus } from './answers.js';
import { cancelCommand, holdCommand, releaseCommand, type Origin } from './commands.js';
import { decisionView } from './views.js';

function hall() {
  const inv = emptyInventory(EVENT);
  for (const e of decide({ type: 'ApplyCatalog', definition: definition() }, inv)) evolve(inv, e);
  const all = (cmd: ReservationCommand): ReservationDecision[] => {
    const events = decide(cmd, inv);
    for (const e of events) evolve(inv, e);
    return events.filter((e): e is ReservationDecision => 'meta' in e);
  };
  const one = (cmd: ReservationCommand): ReservationDecision => {
    const decisions = all(cmd);
    assert.equal(decisions.length, 1);
    return decisions[0]!;
  };
  return Object.assign(one, { all });
}

let n = 0;
const origin = (buyerId: string): Origin => ({
  requestId: `r-${++n}`,
  eventId: EVENT,
  buyerId,
  role: 'customer',
  issuedAt: T0 + 1000,
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
});

describe('answers to booking requests', () => {
  it('a hold answers 201 with its seats, price and expiry', () => {
    const run = hall();
    const o = origin('alice');
    const a = answerFor('hold', run(holdCommand(o, { seatIds: ['A-1-5', 'A-1-6'] }, false)));
    assert.equal(a.status, 201);
    assert.deepEqual(a.body, {
      requestId: o.requestId,
      holdId: `H-${o.requestId}`,
      eventId: EVENT,
      status: 'HELD',
      seats: [
        { seatId: 'A-1-5', sectionId: 'A', rowLabel: 'AA', seatLabel: '5', priceCategoryId: 'VIP', priceMinor: 50_000 },
        { seatId: 'A-1-6', sectionId: 'A', rowLabel: 'AA', seatLabel: '6', priceCategoryId: 'VIP', priceMinor: 50_000 },
      ],
      generalAdmission: null,
      tickets: 2,
      totalMinor: 100_000,
      currency: 'SAR',
      heldAt: new Date(T0 + 1000).toISOString(),
      expiresAt: new Date(T0 + 1000 + HOLD_MS).toISOString(),
    });
  });

  it('a taken seat answers 409 RSV_SEAT_UNAVAILABLE naming the seat; a sold-out quantity 409 RSV_SOLD_OUT', () => {
    const run = hall();
    run(holdCommand(origin('alice'), { seatIds: ['A-1-5'] }, false));
    const o = origin('bob');
    assert.deepEqual(answerFor('hold', run(holdCommand(o, { seatIds: ['A-1-4', 'A-1-5'] }, false))), {
      status: 409,
      body: {
        code: 'RSV_SEAT_UNAVAILABLE',
        message: 'seats already held or sold',
        requestId: o.requestId,
        seatIds: ['A-1-5'],
      },
    });
    const ga = answerFor('hold', run(holdCommand(origin('carol'), { quantity: 6, sectionId: 'GA' }, true)));
    assert.equal(ga.status, 409);
    assert.equal(ga.body?.code, 'RSV_SOLD_OUT');
  });

  it('unknown seats and sections are 422, an unknown event 404', () => {
    const run = hall();
    assert.equal(answerFor('hold', run(holdCommand(origin('a'), { seatIds: ['Z-9-9'] }, false))).status, 422);
    assert.equal(
      answerFor('hold', run(holdCommand(origin('a'), { quantity: 1, sectionId: 'NOPE' }, false))).status,
      422,
    );
    const lost = holdCommand({ ...origin('a'), eventId: 'no-such-event' }, { quantity: 1 }, false);
    const d = decide(lost, emptyInventory('no-such-event'))[0] as ReservationDecision;
    assert.equal(answerFor('hold', d).status, 404);
  });

  it('a release answers 204; of a hold of someone else 403, of no hold 404', () => {
    const run = hall();
    const o = origin('alice');
    run(holdCommand(o, { quantity: 2 }, false));
    const holdId = `H-${o.requestId}`;
    assert.deepEqual(answerFor('release', run(releaseCommand(origin('bob'), holdId))).status, 403);
    assert.deepEqual(answerFor('release', run(releaseCommand(origin('alice'), holdId))), { status: 204 });
    const again = answerFor('release', run(releaseCommand(origin('alice'), holdId)));
    assert.equal(again.status, 404);
    assert.equal(again.body?.code, 'RSV_HOLD_NOT_FOUND');
  });

  it('a cancellation of an unknown booking is 404 RSV_BOOKING_NOT_FOUND', () => {
    const run = hall();
    const a = answerFor('cancel', run(cancelCommand(origin('alice'), 'B-none', null, false)));
    assert.equal(a.status, 404);
    assert.equal(a.body?.code, 'RSV_BOOKING_NOT_FOUND');
  });

  it('a decision of another operation is not taken for an answer', () => {
    const run = hall();
    const held = run(holdCommand(origin('alice'), { quantity: 1 }, false));
    assert.throws(() => answerFor('release', held), MismatchedDecision);
    assert.throws(() => answerFor('cancel', held), MismatchedDecision);
  });

  it('every rejection code has a 4xx status', () => {
    assert.equal(rejectionCodes.length, 17);
    for (const code of rejectionCodes) assert.ok(rejectionStatus[code] >= 400 && rejectionStatus[code] < 500, code);
  });
});

describe('commands from requests', () => {
  it('maps seats, best available, general admission, release and cancel; partners keep their channel', () => {
    const o = origin('alice');
    assert.equal(holdCommand(o, { seatIds: ['A-1-1'] }, false).type, 'HoldSeats');
    assert.deepEqual(holdCommand(o, { quantity: 2, priceCategoryId: 'VIP' }, false), {
      requestId: o.requestId,
      eventId: EVENT,
      buyerId: 'alice',
      issuedAt: o.issuedAt,
      channel: 'web',
      partnerId: null,
      traceparent: o.traceparent,
      type: 'HoldBestAvailable',
      quantity: 2,
      sectionId: null,
      priceCategoryId: 'VIP',
    });
    const ga = holdCommand(o, { quantity: 3, sectionId: 'GA' }, true);
    assert.deepEqual([ga.type, 'sectionId' in ga && ga.sectionId], ['HoldGeneralAdmission', 'GA']);
    const partner = releaseCommand({ ...o, role: 'partner', buyerId: 'p-1' }, 'H-x');
    assert.deepEqual([partner.channel, partner.partnerId], ['partner', 'p-1']);
    const c = cancelCommand(o, 'B-x', 'ill', true);
    assert.deepEqual([c.type, 'byOperator' in c && c.byOperator], ['CancelBooking', true]);
  });
});

describe('decision views', () => {
  it('show times in ISO 8601, no buyer id, and the hold or booking', () => {
    const run = hall();
    const o = origin('alice');
    const v = decisionView(run(holdCommand(o, { quantity: 2, sectionId: 'GA' }, true)));
    assert.equal(v.type, 'SeatsHeld');
    assert.equal(v.occurredAt, new Date(T0 + 1000).toISOString());
    assert.equal(JSON.stringify(v).includes('alice'), false);
    if (v.type === 'SeatsHeld')
      assert.deepEqual(v.hold.generalAdmission, {
        sectionId: 'GA',
        quantity: 2,
        priceCategoryId: 'GA',
        unitPriceMinor: 10_000,
      });
    const now = T0 + 1000 + HOLD_MS;
    const [expired] = run.all({ ...releaseCommand(origin('system'), 'x'), type: 'ExpireHolds', now });
    assert.deepEqual(decisionView(expired!), {
      type: 'HoldExpired',
      requestId: expired!.meta.requestId,
      eventId: EVENT,
      occurredAt: new Date(now).toISOString(),
      replay: false,
      holdId: `H-${o.requestId}`,
      seatIds: [],
      generalAdmission: { sectionId: 'GA', quantity: 2, priceCategoryId: 'GA', unitPriceMinor: 10_000 },
      expiresAt: new Date(now).toISOString(),
    });
  });
});
