/**
 * The oracle of the integration tests: folds the published decisions of one event, in log order,
 * into who holds or owns every seat and place, recording every violation of the allocator's
 * invariants on the way (a seat held or sold by two buyers at once, a release of a seat the hold does
 * not have, more places than capacity, a buyer over the limit). Written from the schemas' contract
 * only (it shares no code with the decider), so the allocator is checked against an independent
 * reading of its own output. It also compares availability snapshots with the folded state.
 */
import type { Availability } from '../availability.js';
import type { EventDefinition, GaPlaces, ReservationDecision } from '../model.js';

const FREE = 0;
const HELD = 1;
const SOLD = 2;

interface Holding {
  holdId: string;
  buyerId: string;
  seatIds: string[];
  ga: GaPlaces | null;
}

export class DecisionFold {
  /** Taken seats: state and the hold (or booking's hold) that has them. */
  readonly seats = new Map<string, { state: typeof HELD | typeof SOLD; holdId: string; buyerId: string }>();
  readonly holds = new Map<string, Holding>();
  readonly bookings = new Map<string, Holding>();
  readonly gaHeld = new Map<string, number>();
  readonly gaSold = new Map<string, number>();
  readonly tickets = new Map<string, number>();
  /** State-changing decisions folded: an availability snapshot of version v shows the state after v - 1 of them. */
  changes = 0;
  readonly violations: string[] = [];
  /** Seat ids per section in seat-map order (how seatStatus is laid out). */
  private readonly order = new Map<string, string[]>();

  constructor(private readonly def: EventDefinition) {
    for (const s of def.venue.sections) {
      const ids: string[] = [];
      for (const r of s.rows)
        for (const run of r.runs)
          for (let k = 0; k < run.count; k++) ids.push(`${s.id}-${r.id}-${run.firstNumber + k * run.numberStep}`);
      this.order.set(s.id, ids);
    }
  }

  apply(d: ReservationDecision): void {
    if (d.meta.replay) return;
    const where = `${d.type} ${d.meta.requestId}`;
    switch (d.type) {
      case 'SeatsHeld': {
        if (this.holds.has(d.holdId)) this.violate(`${where}: hold ${d.holdId} exists already`);
        for (const s of d.seats) {
          const taken = this.seats.get(s.seatId);
          if (taken)
            this.violate(
              `${where}: seat ${s.seatId} is ${taken.state === HELD ? 'held' : 'sold'} by ${taken.buyerId} (${taken.holdId})`,
            );
          this.seats.set(s.seatId, { state: HELD, holdId: d.holdId, buyerId: d.meta.buyerId });
        }
        if (d.ga) this.movePlaces(where, d.ga, null, this.gaHeld);
        this.holds.set(d.holdId, {
          holdId: d.holdId,
          buyerId: d.meta.buyerId,
          seatIds: d.seats.map((s) => s.seatId),
          ga: d.ga,
        });
        this.addTickets(where, d.meta.buyerId, d.seats.length + (d.ga?.quantity ?? 0));
        break;
      }
      case 'HoldReleased':
      case 'HoldExpired': {
        const hold = this.holds.get(d.holdId);
        if (!hold) {
          this.violate(`${where}: no live hold ${d.holdId}`);
          break;
        }
        if (hold.buyerId !== d.meta.buyerId) this.violate(`${where}: hold ${d.holdId} is ${hold.buyerId}'s`);
        if ([...d.seatIds].sort().join() !== [...hold.seatIds].sort().join())
          this.violate(`${where}: seats ${d.seatIds.join()} are not those of ${d.holdId}`);
        this.freeSeats(where, hold, HELD);
        if (hold.ga) this.movePlaces(where, hold.ga, this.gaHeld, null);
        this.addTickets(where, hold.buyerId, -(hold.seatIds.length + (hold.ga?.quantity ?? 0)));
        this.holds.delete(d.holdId);
        break;
      }
      case 'BookingConfirmed': {
        const hold = this.holds.get(d.holdId);
        if (!hold) {
          this.violate(`${where}: no live hold ${d.holdId}`);
          break;
        }
        if (hold.buyerId !== d.meta.buyerId) this.violate(`${where}: hold ${d.holdId} is ${hold.buyerId}'s`);
        for (const id of hold.seatIds) {
          const s = this.seats.get(id);
          if (s?.state !== HELD || s.holdId !== hold.holdId)
            this.violate(`${where}: seat ${id} is not held by ${hold.holdId}`);
          this.seats.set(id, { state: SOLD, holdId: hold.holdId, buyerId: hold.buyerId });
        }
        if (hold.ga) this.movePlaces(where, hold.ga, this.gaHeld, this.gaSold);
        this.holds.delete(d.holdId);
        this.bookings.set(d.bookingId, hold);
        break;
      }
      case 'BookingCancelled': {
        const booking = this.bookings.get(d.bookingId);
        if (!booking) {
          this.violate(`${where}: no booking ${d.bookingId}`);
          break;
        }
        this.freeSeats(where, booking, SOLD);
        if (booking.ga) this.movePlaces(where, booking.ga, this.gaSold, null);
        this.addTickets(where, booking.buyerId, -(booking.seatIds.length + (booking.ga?.quantity ?? 0)));
        this.bookings.delete(d.bookingId);
        break;
      }
      case 'HoldRejected':
      case 'CommandRejected':
        return;
    }
    this.changes++;
  }

  /** 0 free, 1 held, 2 sold. */
  statusOf(seatId: string): number {
    return this.seats.get(seatId)?.state ?? FREE;
  }

  /** Differences between a snapshot and the folded state (empty when they agree). */
  differences(a: Availability): string[] {
    const out: string[] = [];
    if (a.catalogVersion !== this.def.version) out.push(`catalogVersion ${a.catalogVersion}`);
    const totals = { free: 0, held: 0, sold: 0 };
    for (const s of this.def.venue.sections) {
      const got = a.sections.find((x) => x.sectionId === s.id);
      if (!got) {
        out.push(`section ${s.id} missing`);
        continue;
      }
      let want: { free: number; held: number; sold: number };
      if (s.kind === 'generalAdmission') {
        const held = this.gaHeld.get(s.id) ?? 0;
        const sold = this.gaSold.get(s.id) ?? 0;
        want = { free: (s.capacity ?? 0) - held - sold, held, sold };
      } else {
        want = { free: 0, held: 0, sold: 0 };
        const ids = this.order.get(s.id)!;
        ids.forEach((id, i) => {
          const expected = this.statusOf(id);
          const status = (got.seatStatus[i >> 2]! >> (6 - 2 * (i & 3))) & 3;
          if (status !== expected) out.push(`seat ${id}: status ${status}, the decisions say ${expected}`);
          if (expected === FREE) want.free++;
          else if (expected === HELD) want.held++;
          else want.sold++;
        });
        if (got.seatStatus.length !== Math.ceil(ids.length / 4)) out.push(`section ${s.id}: seatStatus length`);
      }
      const c = got.counts;
      if (
        c.free !== want.free ||
        c.held !== want.held ||
        c.sold !== want.sold ||
        c.total !== want.free + want.held + want.sold
      )
        out.push(`section ${s.id}: counts ${JSON.stringify(c)}, the decisions say ${JSON.stringify(want)}`);
      totals.free += want.free;
      totals.held += want.held;
      totals.sold += want.sold;
    }
    const t = a.totals;
    if (t.free !== totals.free || t.held !== totals.held || t.sold !== totals.sold)
      out.push(`totals ${JSON.stringify(t)}, the decisions say ${JSON.stringify(totals)}`);
    return out;
  }

  private freeSeats(where: string, holding: Holding, from: typeof HELD | typeof SOLD): void {
    for (const id of holding.seatIds) {
      const s = this.seats.get(id);
      if (s?.state !== from || s.holdId !== holding.holdId)
        this.violate(`${where}: seat ${id} is not ${from === HELD ? 'held' : 'sold'} by ${holding.holdId}`);
      this.seats.delete(id);
    }
  }

  private movePlaces(
    where: string,
    ga: GaPlaces,
    from: Map<string, number> | null,
    to: Map<string, number> | null,
  ): void {
    if (from) {
      const left = (from.get(ga.sectionId) ?? 0) - ga.quantity;
      if (left < 0) this.violate(`${where}: ${ga.sectionId} would have ${left} places`);
      from.set(ga.sectionId, left);
    }
    if (to) to.set(ga.sectionId, (to.get(ga.sectionId) ?? 0) + ga.quantity);
    const capacity = this.def.venue.sections.find((s) => s.id === ga.sectionId)?.capacity ?? 0;
    const taken = (this.gaHeld.get(ga.sectionId) ?? 0) + (this.gaSold.get(ga.sectionId) ?? 0);
    if (taken > capacity) this.violate(`${where}: ${taken} places of ${ga.sectionId} taken, capacity ${capacity}`);
  }

  private addTickets(where: string, buyerId: string, n: number): void {
    const total = (this.tickets.get(buyerId) ?? 0) + n;
    if (total > this.def.maxTicketsPerBuyer) this.violate(`${where}: ${buyerId} has ${total} tickets`);
    if (total < 0) this.violate(`${where}: ${buyerId} has ${total} tickets`);
    this.tickets.set(buyerId, total);
  }

  private violate(message: string): void {
    if (this.violations.length < 50) this.violations.push(message);
  }
}
