/**
 * What a booking request answers once its decision is known (pure). A refusal is a decision, not an exception: its
 * body carries the allocator's stable `RSV_*` code (shared with the event log and analytics), and its HTTP status
 * comes from the table below, the one place that maps rejection codes to statuses.
 */
import type { RejectionCode, ReservationDecision } from '../../processors/seat-allocation/model.js';
import type { Operation } from './request-ids.js';
import { holdView, type HoldView } from './views.js';

/** HTTP status of each rejection code (a missing code does not compile). */
export const rejectionStatus: Record<RejectionCode, number> = {
  RSV_SEAT_UNAVAILABLE: 409,
  RSV_SOLD_OUT: 409,
  RSV_LIMIT_EXCEEDED: 409,
  RSV_SALE_NOT_OPEN: 409,
  RSV_SALE_CLOSED: 409,
  RSV_EVENT_CANCELLED: 409,
  RSV_HOLD_EXPIRED: 409,
  RSV_HOLD_ALREADY_CONFIRMED: 409,
  RSV_UNKNOWN_EVENT: 404,
  RSV_HOLD_NOT_FOUND: 404,
  RSV_BOOKING_NOT_FOUND: 404,
  RSV_NOT_HOLD_OWNER: 403,
  RSV_NOT_BOOKING_OWNER: 403,
  RSV_UNKNOWN_SEAT: 422,
  RSV_UNKNOWN_SECTION: 422,
  RSV_UNKNOWN_PRICE_CATEGORY: 422,
  RSV_INVALID_REQUEST: 422,
};

export const rejectionCodes = Object.keys(rejectionStatus) as RejectionCode[];

export interface RejectionBody {
  code: RejectionCode;
  message: string;
  requestId: string;
  /** The offending seats (unavailable or unknown), empty when the refusal is not about given seats. */
  seatIds: string[];
}

export type Answer =
  { status: 201; body: HoldView } | { status: 204; body?: undefined } | { status: number; body: RejectionBody };

/** A decision that does not answer the operation: a request id shared by two operations (request-ids.ts prevents it). */
export class MismatchedDecision extends Error {
  constructor(operation: Operation, d: ReservationDecision) {
    super(`decision ${d.type} of request ${d.meta.requestId} does not answer a ${operation}`);
    this.name = 'MismatchedDecision';
  }
}

/** Which decisions accept each operation, and which refuse it. */
const accepted: Record<Operation, ReservationDecision['type']> = {
  hold: 'SeatsHeld',
  release: 'HoldReleased',
  cancel: 'BookingCancelled',
};

/** @throws MismatchedDecision */
export function answerFor(operation: Operation, d: ReservationDecision): Answer {
  if (d.type === 'HoldRejected' || d.type === 'CommandRejected') {
    const fits = d.type === 'HoldRejected' ? operation === 'hold' : operation !== 'hold';
    if (!fits) throw new MismatchedDecision(operation, d);
    return {
      status: rejectionStatus[d.code],
      body: {
        code: d.code,
        message: d.message,
        requestId: d.meta.requestId,
        seatIds: d.type === 'HoldRejected' ? [...d.seatIds] : [],
      },
    };
  }
  if (d.type !== accepted[operation]) throw new MismatchedDecision(operation, d);
  if (d.type === 'SeatsHeld') return { status: 201, body: holdView(d) };
  return { status: 204 };
}
