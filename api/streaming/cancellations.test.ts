import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cancelledBooking } from './cancellations.js';

const decision = (d: Record<string, unknown>) => JSON.stringify({ v: 1, kind: 'decision', decision: d });

describe('cancelledBooking', () => {
  it('names the booking of a BookingCancelled decision', () => {
    assert.equal(cancelledBooking(decision({ type: 'BookingCancelled', bookingId: 'B-1', ownerId: 'u' })), 'B-1');
  });

  it('ignores other decisions, other messages, other versions and garbage', () => {
    for (const text of [
      decision({ type: 'BookingConfirmed', bookingId: 'B-1' }),
      decision({ type: 'HoldReleased', holdId: 'H-1' }),
      JSON.stringify({ v: 2, kind: 'decision', decision: { type: 'BookingCancelled', bookingId: 'B-1' } }),
      JSON.stringify({ v: 1, kind: 'notification', notification: { id: 'n', title: 't', body: 'b' } }),
      'not json',
    ])
      assert.equal(cancelledBooking(text), null, text);
  });
});
