/**
 * The seat allocator as a decider: `decide(command, inventory) → events`, `evolve(inventory, event)`.
 *
 * Pure: no IO, no clock (time arrives in the command), no randomness (hold and booking ids derive
 * from request ids). A refusal is an event with a stable code, never an exception.
 *
 * `evolve` mutates the inventory in place and returns it: an event inventory is 60,000 seats of
 * typed arrays and indexes, and copying it per command would cost more than deciding. Callers that
 * need the state before (tests, a transaction to abort) work on a copy or reload it from the store
 * (storeLayout.ts); `evolve` records the store keys it changes in `inventory.dirty`.
 *
 * Idempotency: every decision answering a client command is remembered by requestId while the
 * event is defined; a repeat of that requestId gets the same decision again, flagged `replay`,
 * which `evolve` ignores. Remembered decisions are forgotten 24 hours (DECISION_RETENTION_MS)
 * after they were made, by the ExpireHolds the punctuator sends. Not remembered: rejections for an
 * event the catalog does not define (so that arbitrary event ids create no state) and ExpireHolds
 * (repeating it is harmless).
 */
import { findBestAvailable } from './bestAvailable.js';
import {
  EventInventory,
  FREE,
  HELD,
  SOLD,
  addTickets,
  bookingKey,
  decisionKey,
  freePlaces,
  freeSeats,
  holdKey,
  metaKey,
  movePlaces,
  reindex,
  sectionKey,
  takeSeats,
  touch,
} from './inventory.js';
import {
  ApplyCatalog,
  CancelBooking,
  CommandEnvelope,
  ConfirmBooking,
  DecisionEnvelope,
  EventDefinition,
  ExpireHolds,
  GaPlaces,
  HeldSeat,
  Hold,
  RejectionCode,
  ReleaseHold,
  ReservationCommand,
  ReservationDecision,
  SeatCommand,
  SeatEvent,
  SeatsHeld,
  bookingIdFor,
  holdIdFor,
  ticketCount,
} from './model.js';
import { SeatMap, validateDefinition } from './seatMap.js';

/** How long the decision of a request is remembered (and repeated for a repeat of the request). */
export const DECISION_RETENTION_MS = 24 * 60 * 60 * 1000;

type ClientCommand = Exclude<ReservationCommand, ExpireHolds>;

/// Decide

export function decide(cmd: SeatCommand, inv: EventInventory): SeatEvent[] {
  switch (cmd.type) {
    case 'ApplyCatalog':
      return applyCatalog(cmd, inv);
    case 'ExpireHolds':
      return expireHolds(cmd, inv);
    default: {
      const remembered = inv.decisions.get(cmd.requestId);
      if (remembered) return [{ ...remembered.event, meta: { ...remembered.event.meta, replay: true } }];
      return [decideRequest(cmd, inv)];
    }
  }
}

function decideRequest(cmd: ClientCommand, inv: EventInventory): ReservationDecision {
  const def = inv.definition;
  const map = inv.map;
  switch (cmd.type) {
    case 'HoldSeats': {
      if (!def || !map) return holdRejected(cmd, 'RSV_UNKNOWN_EVENT', `event ${cmd.eventId} is not defined`);
      const closed = saleRefusal(def, cmd.issuedAt);
      if (closed) return holdRejected(cmd, closed[0], closed[1]);
      if (cmd.seatIds.length === 0) return holdRejected(cmd, 'RSV_INVALID_REQUEST', 'no seat requested');
      const seen = new Set<string>();
      const duplicates = cmd.seatIds.filter((id) => seen.size === seen.add(id).size);
      if (duplicates.length) return holdRejected(cmd, 'RSV_INVALID_REQUEST', 'a seat is requested twice', duplicates);
      const unknown = cmd.seatIds.filter((id) => !map.seatIndex.has(id));
      if (unknown.length) return holdRejected(cmd, 'RSV_UNKNOWN_SEAT', 'no such seat in the seat map', unknown);
      const over = limitRefusal(cmd, inv, def, cmd.seatIds.length);
      if (over) return over;
      const taken = cmd.seatIds.filter((id) => inv.seatState[map.seatIndex.get(id)!] !== FREE);
      if (taken.length) return holdRejected(cmd, 'RSV_SEAT_UNAVAILABLE', 'seats already held or sold', taken);
      const seats = cmd.seatIds.map((id) => map.seatIndex.get(id)!).sort((a, b) => a - b);
      return seatsHeld(
        cmd,
        def,
        seats.map((i) => heldSeatAt(map, i)),
        null,
      );
    }
    case 'HoldBestAvailable': {
      if (!def || !map) return holdRejected(cmd, 'RSV_UNKNOWN_EVENT', `event ${cmd.eventId} is not defined`);
      const closed = saleRefusal(def, cmd.issuedAt);
      if (closed) return holdRejected(cmd, closed[0], closed[1]);
      if (!Number.isInteger(cmd.quantity) || cmd.quantity < 1)
        return holdRejected(cmd, 'RSV_INVALID_REQUEST', 'quantity must be at least 1');
      let section = -1;
      if (cmd.sectionId !== null) {
        section = map.sectionIndex.get(cmd.sectionId) ?? -1;
        if (section < 0) return holdRejected(cmd, 'RSV_UNKNOWN_SECTION', `no section ${cmd.sectionId}`);
      }
      let category = -1;
      if (cmd.priceCategoryId !== null) {
        category = map.categoryIndex.get(cmd.priceCategoryId) ?? -1;
        if (category < 0)
          return holdRejected(cmd, 'RSV_UNKNOWN_PRICE_CATEGORY', `no price category ${cmd.priceCategoryId}`);
      }
      // A general-admission section: places, as HoldGeneralAdmission decides them (the API need not know the kind).
      if (section >= 0 && map.sections[section]!.def.kind === 'generalAdmission') {
        if (category >= 0 && map.sections[section]!.priceCategory !== category)
          return holdRejected(
            cmd,
            'RSV_SOLD_OUT',
            `${cmd.sectionId} has no places of price category ${cmd.priceCategoryId}`,
          );
        return holdPlaces(cmd, inv, def, map, section, cmd.quantity);
      }
      const over = limitRefusal(cmd, inv, def, cmd.quantity);
      if (over) return over;
      const seats = findBestAvailable(inv, cmd.quantity, { section, category });
      if (!seats) return holdRejected(cmd, 'RSV_SOLD_OUT', `fewer than ${cmd.quantity} matching seats are free`);
      return seatsHeld(
        cmd,
        def,
        seats.map((i) => heldSeatAt(map, i)),
        null,
      );
    }
    case 'HoldGeneralAdmission': {
      if (!def || !map) return holdRejected(cmd, 'RSV_UNKNOWN_EVENT', `event ${cmd.eventId} is not defined`);
      const closed = saleRefusal(def, cmd.issuedAt);
      if (closed) return holdRejected(cmd, closed[0], closed[1]);
      if (!Number.isInteger(cmd.quantity) || cmd.quantity < 1)
        return holdRejected(cmd, 'RSV_INVALID_REQUEST', 'quantity must be at least 1');
      const section = map.sectionIndex.get(cmd.sectionId) ?? -1;
      if (section < 0 || map.sections[section]!.def.kind !== 'generalAdmission')
        return holdRejected(cmd, 'RSV_UNKNOWN_SECTION', `no general-admission section ${cmd.sectionId}`);
      return holdPlaces(cmd, inv, def, map, section, cmd.quantity);
    }
    case 'ReleaseHold': {
      if (!def) return commandRejected(cmd, 'RSV_UNKNOWN_EVENT', `event ${cmd.eventId} is not defined`);
      const found = liveHold(cmd, inv);
      if ('type' in found) return found;
      return {
        type: 'HoldReleased',
        meta: envelope(cmd),
        holdId: found.holdId,
        seatIds: found.seats.map((s) => s.seatId),
        ga: found.ga,
      };
    }
    case 'ConfirmBooking': {
      if (!def) return commandRejected(cmd, 'RSV_UNKNOWN_EVENT', `event ${cmd.eventId} is not defined`);
      if (def.status === 'cancelled') return commandRejected(cmd, 'RSV_EVENT_CANCELLED', 'the event is cancelled');
      if (cmd.paymentReference === '') return commandRejected(cmd, 'RSV_INVALID_REQUEST', 'no payment reference');
      const found = liveHold(cmd, inv);
      if ('type' in found) return found;
      if (found.expiresAt <= cmd.issuedAt) return commandRejected(cmd, 'RSV_HOLD_EXPIRED', 'the hold has expired');
      return {
        type: 'BookingConfirmed',
        meta: envelope(cmd),
        bookingId: bookingIdFor(found.holdId)!,
        holdId: found.holdId,
        seats: found.seats,
        ga: found.ga,
        paymentReference: cmd.paymentReference,
        totalMinor: found.totalMinor,
        currency: found.currency,
      };
    }
    case 'CancelBooking': {
      if (!def) return commandRejected(cmd, 'RSV_UNKNOWN_EVENT', `event ${cmd.eventId} is not defined`);
      const booking = inv.bookings.get(cmd.bookingId);
      if (!booking) return commandRejected(cmd, 'RSV_BOOKING_NOT_FOUND', `no booking ${cmd.bookingId}`);
      if (booking.buyerId !== cmd.buyerId && !cmd.byOperator)
        return commandRejected(cmd, 'RSV_NOT_BOOKING_OWNER', 'the booking belongs to another buyer');
      return {
        type: 'BookingCancelled',
        meta: envelope(cmd),
        bookingId: booking.bookingId,
        holdId: booking.holdId,
        seatIds: booking.seats.map((s) => s.seatId),
        ga: booking.ga,
        paymentReference: booking.paymentReference,
        totalMinor: booking.totalMinor,
        currency: booking.currency,
        reason: cmd.reason,
        byOperator: cmd.byOperator,
        ownerId: booking.buyerId,
      };
    }
    default: {
      const _: never = cmd;
      return _;
    }
  }
}

function expireHolds(cmd: ExpireHolds, inv: EventInventory): SeatEvent[] {
  const expired: Hold[] = [];
  for (const h of inv.holds.values()) if (h.expiresAt <= cmd.now) expired.push(h);
  expired.sort((a, b) => a.expiresAt - b.expiresAt || (a.holdId < b.holdId ? -1 : 1));
  const events: SeatEvent[] = expired.map((h) => ({
    type: 'HoldExpired',
    meta: envelope(cmd, cmd.now, h.buyerId),
    holdId: h.holdId,
    seatIds: h.seats.map((s) => s.seatId),
    ga: h.ga,
    expiresAt: h.expiresAt,
  }));
  const before = cmd.now - DECISION_RETENTION_MS;
  const oldest = inv.decisions.values().next();
  if (!oldest.done && oldest.value.at < before)
    events.push({ type: 'DecisionsForgotten', eventId: inv.eventId, before });
  return events;
}

function applyCatalog(cmd: ApplyCatalog, inv: EventInventory): SeatEvent[] {
  const def = cmd.definition;
  if (def.eventId !== inv.eventId)
    return [
      { type: 'CatalogRejected', eventId: inv.eventId, version: def.version, problems: [`eventId is ${def.eventId}`] },
    ];
  if (inv.definition && def.version <= inv.definition.version) return []; // stale or repeated revision
  const problems = validateDefinition(def);
  if (problems.length) return [{ type: 'CatalogRejected', eventId: inv.eventId, version: def.version, problems }];
  return [{ type: 'CatalogApplied', definition: def }];
}

/// Rules and builders

/** Why holds are refused at `now` because of the event's status or sale window, or null if the sale is open. */
function saleRefusal(def: EventDefinition, now: number): [RejectionCode, string] | null {
  switch (def.status) {
    case 'cancelled':
      return ['RSV_EVENT_CANCELLED', 'the event is cancelled'];
    case 'salePaused':
      return ['RSV_SALE_NOT_OPEN', 'the sale is paused'];
    case 'saleEnded':
      return ['RSV_SALE_CLOSED', 'the sale has ended'];
    case 'scheduled':
    case 'onSale':
      if (now < def.onSaleAt) return ['RSV_SALE_NOT_OPEN', 'the sale has not opened yet'];
      if (now >= def.offSaleAt) return ['RSV_SALE_CLOSED', 'the sale has closed'];
      return null;
    default: {
      const _: never = def.status;
      return _;
    }
  }
}

function limitRefusal(cmd: ClientCommand, inv: EventInventory, def: EventDefinition, more: number) {
  const has = inv.buyerTickets.get(cmd.buyerId) ?? 0;
  if (has + more <= def.maxTicketsPerBuyer) return null;
  return holdRejected(
    cmd,
    'RSV_LIMIT_EXCEEDED',
    `the buyer has ${has} tickets for this event; ${more} more would exceed the limit of ${def.maxTicketsPerBuyer}`,
  );
}

/** `quantity` places in the general-admission section at `section`: the per-buyer limit, then the free places. */
function holdPlaces(
  cmd: ClientCommand,
  inv: EventInventory,
  def: EventDefinition,
  map: SeatMap,
  section: number,
  quantity: number,
): ReservationDecision {
  const over = limitRefusal(cmd, inv, def, quantity);
  if (over) return over;
  const sectionId = map.sections[section]!.def.id;
  if (freePlaces(inv, section) < quantity)
    return holdRejected(cmd, 'RSV_SOLD_OUT', `fewer than ${quantity} places are free in ${sectionId}`);
  const category = map.categories[map.sections[section]!.priceCategory]!;
  const ga: GaPlaces = { sectionId, quantity, priceCategoryId: category.id, unitPriceMinor: category.priceMinor };
  return seatsHeld(cmd, def, [], ga);
}

/** The live hold named by a release or confirm command, or the rejection saying why there is none. */
function liveHold(cmd: ReleaseHold | ConfirmBooking, inv: EventInventory): Hold | ReservationDecision {
  const holdId = cmd.holdId;
  const hold = inv.holds.get(holdId);
  if (hold)
    return hold.buyerId === cmd.buyerId
      ? hold
      : commandRejected(cmd, 'RSV_NOT_HOLD_OWNER', 'the hold belongs to another buyer');
  const bookingId = bookingIdFor(holdId);
  const booking = bookingId === null ? undefined : inv.bookings.get(bookingId);
  if (!booking) return commandRejected(cmd, 'RSV_HOLD_NOT_FOUND', `no live hold ${holdId}`);
  if (booking.buyerId !== cmd.buyerId)
    return commandRejected(cmd, 'RSV_NOT_HOLD_OWNER', 'the hold belongs to another buyer');
  return commandRejected(cmd, 'RSV_HOLD_ALREADY_CONFIRMED', `the hold is booking ${booking.bookingId} already`);
}

function envelope(cmd: CommandEnvelope, occurredAt = cmd.issuedAt, buyerId = cmd.buyerId): DecisionEnvelope {
  return {
    requestId: cmd.requestId,
    eventId: cmd.eventId,
    buyerId,
    occurredAt,
    commandIssuedAt: cmd.issuedAt,
    channel: cmd.channel,
    partnerId: cmd.partnerId,
    traceparent: cmd.traceparent,
    replay: false,
  };
}

function heldSeatAt(map: SeatMap, i: number): HeldSeat {
  const category = map.categories[map.seatCategory[i]!]!;
  return {
    seatId: map.seatIds[i]!,
    sectionId: map.sections[map.seatSection[i]!]!.def.id,
    rowLabel: map.seatRowLabel[i]!,
    seatLabel: map.seatLabel[i]!,
    priceCategoryId: category.id,
    priceMinor: category.priceMinor,
  };
}

function seatsHeld(cmd: ClientCommand, def: EventDefinition, seats: HeldSeat[], ga: GaPlaces | null): SeatsHeld {
  let totalMinor = ga ? ga.quantity * ga.unitPriceMinor : 0;
  for (const s of seats) totalMinor += s.priceMinor;
  return {
    type: 'SeatsHeld',
    meta: envelope(cmd),
    holdId: holdIdFor(cmd.requestId),
    seats,
    ga,
    totalMinor,
    currency: def.currency,
    expiresAt: cmd.issuedAt + def.holdDurationMs,
  };
}

function holdRejected(
  cmd: ClientCommand,
  code: RejectionCode,
  message: string,
  seatIds: string[] = [],
): ReservationDecision {
  return { type: 'HoldRejected', meta: envelope(cmd), code, message, seatIds };
}

function commandRejected(
  cmd: ReleaseHold | ConfirmBooking | CancelBooking,
  code: RejectionCode,
  message: string,
): ReservationDecision {
  return {
    type: 'CommandRejected',
    meta: envelope(cmd),
    command: cmd.type,
    code,
    message,
    holdId: cmd.type === 'CancelBooking' ? null : cmd.holdId,
    bookingId: cmd.type === 'CancelBooking' ? cmd.bookingId : null,
  };
}

/// Evolve

export function evolve(inv: EventInventory, e: SeatEvent): EventInventory {
  switch (e.type) {
    case 'CatalogApplied': {
      const before = inv.definition?.venue.sections ?? [];
      inv.definition = e.definition;
      reindex(inv);
      const after = new Map(e.definition.venue.sections.map((s) => [s.id, JSON.stringify(s)]));
      for (const s of before) if (after.get(s.id) !== JSON.stringify(s)) inv.dirty.add(sectionKey(s.id));
      const old = new Set(before.map((s) => s.id));
      for (const s of e.definition.venue.sections)
        if (!old.has(s.id) || inv.dirty.has(sectionKey(s.id))) inv.dirty.add(sectionKey(s.id));
      touch(inv, inv.asOf);
      return inv;
    }
    case 'CatalogRejected':
      return inv;
    case 'DecisionsForgotten': {
      for (const [requestId, d] of inv.decisions) {
        if (d.at >= e.before) break;
        inv.decisions.delete(requestId);
        inv.dirty.add(decisionKey(requestId));
      }
      return inv;
    }
    default:
      if (e.meta.replay || !inv.definition) return inv;
      applyDecision(inv, e);
      if (e.meta.occurredAt > inv.clock) inv.clock = e.meta.occurredAt;
      inv.dirty.add(metaKey);
      if (e.type !== 'HoldExpired') {
        inv.decisions.set(e.meta.requestId, { at: inv.clock, event: e });
        inv.dirty.add(decisionKey(e.meta.requestId));
      }
      return inv;
  }
}

function applyDecision(inv: EventInventory, e: ReservationDecision): void {
  switch (e.type) {
    case 'SeatsHeld': {
      const hold: Hold = {
        holdId: e.holdId,
        buyerId: e.meta.buyerId,
        seats: e.seats,
        ga: e.ga,
        totalMinor: e.totalMinor,
        currency: e.currency,
        heldAt: e.meta.occurredAt,
        expiresAt: e.expiresAt,
      };
      takeSeats(inv, hold.seats, HELD);
      if (hold.ga) movePlaces(inv, hold.ga, FREE, HELD);
      addTickets(inv, hold.buyerId, ticketCount(hold));
      inv.holds.set(hold.holdId, hold);
      inv.dirty.add(holdKey(hold.holdId));
      touch(inv, e.meta.occurredAt);
      return;
    }
    case 'HoldReleased':
    case 'HoldExpired': {
      const hold = inv.holds.get(e.holdId)!;
      freeSeats(
        inv,
        hold.seats.map((s) => s.seatId),
      );
      if (hold.ga) movePlaces(inv, hold.ga, HELD, FREE);
      addTickets(inv, hold.buyerId, -ticketCount(hold));
      inv.holds.delete(hold.holdId);
      inv.dirty.add(holdKey(hold.holdId));
      touch(inv, e.meta.occurredAt);
      return;
    }
    case 'BookingConfirmed': {
      const hold = inv.holds.get(e.holdId)!;
      takeSeats(inv, hold.seats, SOLD);
      if (hold.ga) movePlaces(inv, hold.ga, HELD, SOLD);
      inv.holds.delete(hold.holdId);
      inv.bookings.set(e.bookingId, {
        bookingId: e.bookingId,
        holdId: hold.holdId,
        buyerId: hold.buyerId,
        seats: hold.seats,
        ga: hold.ga,
        totalMinor: hold.totalMinor,
        currency: hold.currency,
        paymentReference: e.paymentReference,
        confirmedAt: e.meta.occurredAt,
      });
      inv.dirty.add(holdKey(hold.holdId));
      inv.dirty.add(bookingKey(e.bookingId));
      touch(inv, e.meta.occurredAt);
      return;
    }
    case 'BookingCancelled': {
      const booking = inv.bookings.get(e.bookingId)!;
      freeSeats(
        inv,
        booking.seats.map((s) => s.seatId),
      );
      if (booking.ga) movePlaces(inv, booking.ga, SOLD, FREE);
      addTickets(inv, booking.buyerId, -ticketCount(booking));
      inv.bookings.delete(booking.bookingId);
      inv.dirty.add(bookingKey(booking.bookingId));
      touch(inv, e.meta.occurredAt);
      return;
    }
    case 'HoldRejected':
    case 'CommandRejected':
      return;
    default: {
      const _: never = e;
      return _;
    }
  }
}
