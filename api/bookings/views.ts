/**
 * The public JSON of decisions (HTTP answers and WebSocket pushes): the allocator's domain decisions
 * (processors/seat-allocation/model.ts) with ISO 8601 times, `generalAdmission` instead of `ga`, and no buyer id (a
 * buyer only ever sees their own). Field names follow the read models' (GET /v1/me/holds, /v1/me/bookings).
 */
import type { AvailabilityView } from '../../processors/seat-allocation/availabilityView.js';
import type {
  GaPlaces,
  HeldSeat,
  RejectableCommand,
  RejectionCode,
  ReservationDecision,
} from '../../processors/seat-allocation/model.js';
import { ticketCount } from '../../processors/seat-allocation/model.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export interface HoldView {
  requestId: string;
  holdId: string;
  eventId: string;
  status: 'HELD';
  seats: HeldSeat[];
  generalAdmission: GaPlaces | null;
  tickets: number;
  totalMinor: number;
  currency: string;
  heldAt: string;
  expiresAt: string;
}

export interface BookingView {
  requestId: string;
  bookingId: string;
  holdId: string;
  eventId: string;
  status: 'CONFIRMED';
  seats: HeldSeat[];
  generalAdmission: GaPlaces | null;
  tickets: number;
  totalMinor: number;
  currency: string;
  paymentReference: string;
  confirmedAt: string;
}

interface Common {
  requestId: string;
  eventId: string;
  occurredAt: string;
  /** The decision repeats an earlier one (a retried request): nothing changed. */
  replay: boolean;
}

export type DecisionView = Common &
  (
    | { type: 'SeatsHeld'; hold: HoldView }
    | { type: 'HoldRejected'; code: RejectionCode; message: string; seatIds: string[] }
    | {
        type: 'CommandRejected';
        command: RejectableCommand;
        code: RejectionCode;
        message: string;
        holdId: string | null;
        bookingId: string | null;
      }
    | { type: 'HoldReleased'; holdId: string; seatIds: string[]; generalAdmission: GaPlaces | null }
    | { type: 'HoldExpired'; holdId: string; seatIds: string[]; generalAdmission: GaPlaces | null; expiresAt: string }
    | { type: 'BookingConfirmed'; booking: BookingView }
    | {
        type: 'BookingCancelled';
        bookingId: string;
        holdId: string;
        seatIds: string[];
        generalAdmission: GaPlaces | null;
        reason: string | null;
        byOperator: boolean;
      }
  );

const ga = (g: GaPlaces | null): GaPlaces | null =>
  g === null
    ? null
    : {
        sectionId: g.sectionId,
        quantity: g.quantity,
        priceCategoryId: g.priceCategoryId,
        unitPriceMinor: g.unitPriceMinor,
      };

export function holdView(d: Extract<ReservationDecision, { type: 'SeatsHeld' }>): HoldView {
  return {
    requestId: d.meta.requestId,
    holdId: d.holdId,
    eventId: d.meta.eventId,
    status: 'HELD',
    seats: d.seats.map((s) => ({ ...s })),
    generalAdmission: ga(d.ga),
    tickets: ticketCount(d),
    totalMinor: d.totalMinor,
    currency: d.currency,
    heldAt: iso(d.meta.occurredAt),
    expiresAt: iso(d.expiresAt),
  };
}

export function decisionView(d: ReservationDecision): DecisionView {
  const common: Common = {
    requestId: d.meta.requestId,
    eventId: d.meta.eventId,
    occurredAt: iso(d.meta.occurredAt),
    replay: d.meta.replay,
  };
  switch (d.type) {
    case 'SeatsHeld':
      return { ...common, type: d.type, hold: holdView(d) };
    case 'HoldRejected':
      return { ...common, type: d.type, code: d.code, message: d.message, seatIds: [...d.seatIds] };
    case 'CommandRejected':
      return {
        ...common,
        type: d.type,
        command: d.command,
        code: d.code,
        message: d.message,
        holdId: d.holdId,
        bookingId: d.bookingId,
      };
    case 'HoldReleased':
      return { ...common, type: d.type, holdId: d.holdId, seatIds: [...d.seatIds], generalAdmission: ga(d.ga) };
    case 'HoldExpired':
      return {
        ...common,
        type: d.type,
        holdId: d.holdId,
        seatIds: [...d.seatIds],
        generalAdmission: ga(d.ga),
        expiresAt: iso(d.expiresAt),
      };
    case 'BookingConfirmed':
      return {
        ...common,
        type: d.type,
        booking: {
          requestId: d.meta.requestId,
          bookingId: d.bookingId,
          holdId: d.holdId,
          eventId: d.meta.eventId,
          status: 'CONFIRMED',
          seats: d.seats.map((s) => ({ ...s })),
          generalAdmission: ga(d.ga),
          tickets: ticketCount(d),
          totalMinor: d.totalMinor,
          currency: d.currency,
          paymentReference: d.paymentReference,
          confirmedAt: iso(d.meta.occurredAt),
        },
      };
    case 'BookingCancelled':
      return {
        ...common,
        type: d.type,
        bookingId: d.bookingId,
        holdId: d.holdId,
        seatIds: [...d.seatIds],
        generalAdmission: ga(d.ga),
        reason: d.reason,
        byOperator: d.byOperator,
      };
    default: {
      const _: never = d;
      return _;
    }
  }
}

/** An availability snapshot as pushed: the read model's shape, `asOf` in ISO 8601. */
export interface AvailabilityPush extends Omit<AvailabilityView, 'asOf'> {
  asOf: string;
}

export const availabilityPush = (a: AvailabilityView): AvailabilityPush => ({ ...a, asOf: iso(a.asOf) });
