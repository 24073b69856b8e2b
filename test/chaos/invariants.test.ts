import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import type { DecisionEnvelope, ReservationDecision } from '../../processors/seat-allocation/model.js';
import {
  checkBookingsOnce,
  checkErrorCodes,
  checkNoDoubleAllocation,
  checkOneDecisionPerRequest,
  checkToldBookings,
  isRetryable,
  retryableErrorCodes,
} from './invariants.js';
import { formatTable } from './report.js';

const def = concertHall({ seed: 3, eventId: 'evt-chaos', onSaleAt: 0, maxTicketsPerBuyer: 100 });
const meta = (requestId: string, buyerId = 'b1', replay = false): DecisionEnvelope => ({
  requestId,
  eventId: def.eventId,
  buyerId,
  occurredAt: 1,
  commandIssuedAt: 1,
  channel: 'web',
  partnerId: null,
  traceparent: null,
  replay,
});
const seat = (seatId: string) => ({
  seatId,
  sectionId: seatId.split('-')[0]!,
  rowLabel: 'A',
  seatLabel: '1',
  priceCategoryId: 'CAT1',
  priceMinor: 1000,
});
const firstSeats = (() => {
  const s = def.venue.sections.find((x) => x.kind !== 'generalAdmission')!;
  const r = s.rows[0]!;
  const run = r.runs[0]!;
  return [0, 1].map((k) => `${s.id}-${r.id}-${run.firstNumber + k * run.numberStep}`);
})();
const held = (requestId: string, seats: string[], buyerId = 'b1', replay = false): ReservationDecision => ({
  type: 'SeatsHeld',
  meta: meta(requestId, buyerId, replay),
  holdId: `H-${requestId}`,
  seats: seats.map(seat),
  ga: null,
  totalMinor: 1000 * seats.length,
  currency: 'EUR',
  expiresAt: 2,
});

describe('chaos invariants', () => {
  it('given the API error table, when classifying codes, then 503 and 504 codes are retryable and others are not', () => {
    assert.ok(retryableErrorCodes.has('SS_ERR_UNAVAILABLE'));
    assert.ok(retryableErrorCodes.has('SS_ERR_CHECKOUT_PROVIDER_TIMEOUT'));
    assert.ok(!retryableErrorCodes.has('SS_ERR_INTERNAL'));
    assert.ok(!retryableErrorCodes.has('SS_ERR_BOOKING_IDEMPOTENCY_KEY_REUSED'));
    assert.ok(!retryableErrorCodes.has('SS_ERR_FEATURE_DISABLED'));
    const answers: [number, string][] = [
      [0, 'NETWORK'],
      [202, '202'],
      [503, 'SS_ERR_UNAVAILABLE'],
      [504, 'HTTP_504'],
      [503, 'SS_ERR_FEATURE_DISABLED'],
      [201, '201'],
      [409, 'RSV_SOLD_OUT'],
      [500, 'SS_ERR_INTERNAL'],
    ];
    assert.deepEqual(
      answers.map(([status, code]) => isRetryable({ status, code })),
      [true, true, true, true, false, false, false, false],
    );
  });

  it('given answers by code, when some are neither decisions nor retryable, then each such code is a violation', () => {
    const ok = checkErrorCodes(
      new Map([
        ['201', 5],
        ['RSV_SEAT_UNAVAILABLE', 2],
        ['NETWORK', 1],
        ['SS_ERR_UNAVAILABLE', 3],
      ]),
    );
    assert.deepEqual(ok, { invariant: ok.invariant, checked: 11, violations: [] });
    const bad = checkErrorCodes(
      new Map([
        ['201', 1],
        ['SS_ERR_INTERNAL', 2],
        ['HTTP_502', 1],
      ]),
    );
    assert.deepEqual(bad.violations, ['SS_ERR_INTERNAL × 2', 'HTTP_502 × 1']);
  });

  it('given requests and decisions, when one has none, one two and one a replay, then the first two are violations', () => {
    const c = checkOneDecisionPerRequest(
      ['r1', 'r2', 'r3', 'r3'],
      [held('r2', [firstSeats[0]!]), held('r2', [firstSeats[1]!]), held('r3', []), held('r3', [], 'b1', true)],
    );
    assert.equal(c.checked, 3);
    assert.deepEqual(c.violations, ['request r1: 0 decisions', 'request r2: 2 decisions']);
  });

  it('given two buyers holding the same seat, when the decisions are replayed, then the double hold is a violation', () => {
    const clean = checkNoDoubleAllocation([def], new Map([[def.eventId, [held('r1', [firstSeats[0]!])]]]));
    assert.deepEqual(clean.violations, []);
    assert.equal(clean.checked, 1);
    const twice = checkNoDoubleAllocation(
      [def],
      new Map([[def.eventId, [held('r1', [firstSeats[0]!]), held('r2', [firstSeats[0]!], 'b2')]]]),
    );
    assert.equal(twice.violations.length, 1);
    assert.match(twice.violations[0]!, /is held by b1/);
  });

  it('given booking counts per store, when one is missing, doubled or unknown to the log, then each is a violation', () => {
    const c = checkBookingsOnce(['B-1', 'B-2'], {
      postgres: new Map([
        ['B-1', 1],
        ['B-2', 1],
      ]),
      clickhouse: new Map([
        ['B-1', 2],
        ['B-9', 1],
      ]),
    });
    assert.equal(c.checked, 4);
    assert.deepEqual(c.violations, [
      'clickhouse: booking B-1 × 2',
      'clickhouse: booking B-2 × 0',
      'clickhouse: booking B-9 is not in the log',
    ]);
    assert.deepEqual(checkToldBookings(['B-1', 'B-3'], ['B-1']).violations, [
      'booking B-3 told to a buyer, not in the log',
    ]);
  });

  it('given faults and checks, when formatted, then every fault and invariant is a row with its figures', () => {
    const text = formatTable(
      [{ fault: 'SIGKILL x', atSec: 12.34, recoverySec: 5.67 }],
      [{ invariant: 'inv', checked: 10, violations: ['v'] }],
      new Map([['201', 3]]),
    );
    assert.match(text, /SIGKILL x\s+12\.3\s+5\.7/);
    assert.match(text, /inv\s+10\s+1/);
    assert.match(text, /201\s+3/);
  });
});
