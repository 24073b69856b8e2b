/**
 * Given/when/then for the decider: given past events, when a command arrives, then these events.
 *
 *   given([catalogApplied(), seatsHeld(alice, ['A-1-1'])])
 *     .when(holdSeats('bob', ['A-1-1']))
 *     .thenRejected('RSV_SEAT_UNAVAILABLE', ['A-1-1']);
 *
 * Rejection messages are prose, not contract: they are compared only for being non-empty.
 */
import assert from 'node:assert/strict';
import { decide, evolve } from './decider.js';
import { EVENT } from './fixtures.js';
import { EventInventory, emptyInventory } from './inventory.js';
import { RejectionCode, ReservationCommand, SeatCommand, SeatEvent } from './model.js';

/** The rejection a command gets, message left empty (see `then`). */
export function rejected(cmd: ReservationCommand, code: RejectionCode, seatIds: string[] = []): SeatEvent {
  const meta = {
    requestId: cmd.requestId,
    eventId: cmd.eventId,
    buyerId: cmd.buyerId,
    occurredAt: cmd.issuedAt,
    commandIssuedAt: cmd.issuedAt,
    channel: cmd.channel,
    partnerId: cmd.partnerId,
    traceparent: cmd.traceparent,
    replay: false,
  };
  switch (cmd.type) {
    case 'HoldSeats':
    case 'HoldBestAvailable':
    case 'HoldGeneralAdmission':
      return { type: 'HoldRejected', meta, code, message: '', seatIds };
    case 'ReleaseHold':
    case 'ConfirmBooking':
      return {
        type: 'CommandRejected',
        meta,
        command: cmd.type,
        code,
        message: '',
        holdId: cmd.holdId,
        bookingId: null,
      };
    case 'CancelBooking':
      return {
        type: 'CommandRejected',
        meta,
        command: cmd.type,
        code,
        message: '',
        holdId: null,
        bookingId: cmd.bookingId,
      };
    case 'ExpireHolds':
      throw new Error('ExpireHolds is never rejected');
    default: {
      const _: never = cmd;
      return _;
    }
  }
}

const withoutMessage = (e: SeatEvent): SeatEvent => {
  if (e.type !== 'HoldRejected' && e.type !== 'CommandRejected') return e;
  assert.equal(typeof e.message, 'string');
  return { ...e, message: '' };
};

/** Everything an inventory holds except its dirty set and its derived seat map, for comparing two. */
export function comparable(inv: EventInventory) {
  const { dirty: _dirty, map, holds, bookings, decisions, buyerTickets, retainedSeats, retainedPlaces, ...rest } = inv;
  const sorted = <V>(m: Map<string, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    ...rest,
    seatIds: map?.seatIds ?? [],
    holds: sorted(holds),
    bookings: sorted(bookings),
    // Forgetting takes decisions by time; among equal times the order does not matter (and a load sorts by time).
    decisions: sorted(decisions).sort(([, a], [, b]) => a.at - b.at),
    buyerTickets: sorted(buyerTickets),
    retainedSeats: sorted(retainedSeats),
    retainedPlaces: sorted(retainedPlaces),
  };
}

/** Asserts that two inventories hold the same facts and indexes. */
export const assertSameInventory = (actual: EventInventory, expected: EventInventory): void =>
  assert.deepStrictEqual(comparable(actual), comparable(expected));

export interface Then {
  /** What decide returned. */
  decided: SeatEvent[];
  /** Asserts the decision, applies it and returns the inventory after. */
  then(expected: SeatEvent[]): EventInventory;
  /** Asserts a single rejection with this code (and offending seats). */
  thenRejected(code: RejectionCode, seatIds?: string[]): EventInventory;
}

export function given(events: SeatEvent[], eventId: string = EVENT) {
  const inventory = emptyInventory(eventId);
  for (const e of events) evolve(inventory, e);
  return {
    inventory,
    when(cmd: SeatCommand): Then {
      const decided = decide(cmd, inventory);
      const then = (expected: SeatEvent[]) => {
        for (const e of decided)
          if (e.type === 'HoldRejected' || e.type === 'CommandRejected')
            assert.ok(e.message.length > 0, 'a rejection explains itself');
        assert.deepStrictEqual(decided.map(withoutMessage), expected.map(withoutMessage));
        for (const e of decided) evolve(inventory, e);
        return inventory;
      };
      return {
        decided,
        then,
        thenRejected(code, seatIds = []) {
          if (cmd.type === 'ApplyCatalog') throw new Error('a catalog revision is not rejected with a code');
          return then([rejected(cmd, code, seatIds)]);
        },
      };
    },
  };
}
