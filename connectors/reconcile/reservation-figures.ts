/**
 * The figures of a sequence of reservation decisions (reservation.events.v1 in log order), computed by folding
 * the decisions: what every read model of reservations must agree with. Pure.
 *
 * Hold status: held until released, expired or confirmed; a confirmed hold is `booked`, and `cancelled` once its
 * booking is cancelled. Replays change nothing and are only counted.
 */
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { add, figureKey, measures, type Figures } from './figures.js';

export const reservationMeasures = [
  measures.decisions,
  measures.replays,
  measures.holds,
  measures.bookings,
  measures.tickets,
  measures.revenue,
  measures.rejections,
] as const;

type HoldStatus = 'held' | 'released' | 'expired' | 'booked' | 'cancelled';

interface HoldFacts {
  eventId: string;
  status: HoldStatus;
  tickets: number;
  totalMinor: number;
  currency: string;
}

export class ReservationFigures {
  private readonly figures: Figures = new Map();
  private readonly holds = new Map<string, HoldFacts>();

  add(e: ReservationEvent): void {
    const ev = e.eventId;
    if (e.replay) {
      add(this.figures, figureKey(measures.replays, ev));
      return;
    }
    const [branch, body] = Object.entries(e.decision)[0] as [string, Record<string, unknown>];
    const type = branch.slice(branch.lastIndexOf('.') + 1);
    add(this.figures, figureKey(measures.decisions, ev, type));
    const holdKey = (id: unknown) => `${ev}\u0000${String(id)}`;
    const ga = (g: unknown) =>
      g === null || g === undefined ? 0 : (Object.values(g as object)[0] as { quantity: number }).quantity;
    switch (type) {
      case 'SeatsHeld': {
        const seats = (body.seats as unknown[]).length + ga(body.generalAdmission);
        this.holds.set(holdKey(body.holdId), {
          eventId: ev,
          status: 'held',
          tickets: seats,
          totalMinor: body.totalMinor as number,
          currency: body.currency as string,
        });
        break;
      }
      case 'HoldReleased':
      case 'HoldExpired':
      case 'BookingConfirmed':
      case 'BookingCancelled': {
        const h = this.holds.get(holdKey(body.holdId));
        if (h)
          h.status = (
            {
              HoldReleased: 'released',
              HoldExpired: 'expired',
              BookingConfirmed: 'booked',
              BookingCancelled: 'cancelled',
            } as const
          )[type];
        break;
      }
      case 'HoldRejected':
        add(this.figures, figureKey(measures.rejections, ev, 'HOLD', body.code as string));
        break;
      case 'CommandRejected':
        add(this.figures, figureKey(measures.rejections, ev, body.command as string, body.code as string));
        break;
      default:
        break;
    }
  }

  /** The figures so far. */
  result(): Figures {
    const out = new Map(this.figures);
    for (const h of this.holds.values()) {
      add(out, figureKey(measures.holds, h.eventId, h.status));
      if (h.status === 'booked' || h.status === 'cancelled') {
        const confirmed = h.status === 'booked';
        add(out, figureKey(measures.bookings, h.eventId, confirmed ? 'confirmed' : 'cancelled'));
        add(out, figureKey(measures.tickets, h.eventId, confirmed ? 'sold' : 'cancelled'), h.tickets);
        if (confirmed) add(out, figureKey(measures.revenue, h.eventId, h.currency), h.totalMinor);
      }
    }
    return out;
  }
}

export function reservationFigures(events: Iterable<ReservationEvent>): Figures {
  const f = new ReservationFigures();
  for (const e of events) f.add(e);
  return f.result();
}
