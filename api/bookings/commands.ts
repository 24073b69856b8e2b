/**
 * HTTP input → the allocator's commands (processors/seat-allocation/model.ts), pure. The API checks the shape of
 * what it is asked (JSON Schema); whether seats, sections or categories exist, the sale window and the limits are
 * the allocator's to decide.
 */
import type { Role } from '../auth/roles.js';
import type { CommandEnvelope, ReservationCommand } from '../../processors/seat-allocation/model.js';

export type HoldBody = { seatIds: string[] } | { quantity: number; sectionId?: string; priceCategoryId?: string };

export interface Origin {
  requestId: string;
  eventId: string;
  buyerId: string;
  role: Role;
  issuedAt: number;
  traceparent: string;
}

/** Partners act for buyers through their own channel; every other role is a first-party web client. */
function envelope(o: Origin): CommandEnvelope {
  const partner = o.role === 'partner';
  return {
    requestId: o.requestId,
    eventId: o.eventId,
    buyerId: o.buyerId,
    issuedAt: o.issuedAt,
    channel: partner ? 'partner' : 'web',
    partnerId: partner ? o.buyerId : null,
    traceparent: o.traceparent,
  };
}

/**
 * The hold command of a request body: given seats, or a quantity, best available (optionally within a seated section
 * or a price category) or in a general-admission section (`generalAdmission`: the section is one, as the read model
 * of the event says).
 */
export function holdCommand(o: Origin, body: HoldBody, generalAdmission: boolean): ReservationCommand {
  if ('seatIds' in body) return { ...envelope(o), type: 'HoldSeats', seatIds: [...body.seatIds] };
  if (generalAdmission && body.sectionId !== undefined)
    return { ...envelope(o), type: 'HoldGeneralAdmission', sectionId: body.sectionId, quantity: body.quantity };
  return {
    ...envelope(o),
    type: 'HoldBestAvailable',
    quantity: body.quantity,
    sectionId: body.sectionId ?? null,
    priceCategoryId: body.priceCategoryId ?? null,
  };
}

export const releaseCommand = (o: Origin, holdId: string): ReservationCommand => ({
  ...envelope(o),
  type: 'ReleaseHold',
  holdId,
});

export const cancelCommand = (
  o: Origin,
  bookingId: string,
  reason: string | null,
  byOperator: boolean,
): ReservationCommand => ({ ...envelope(o), type: 'CancelBooking', bookingId, reason, byOperator });
