/**
 * Bookings: turn a request into a command, send it, and answer with its decision when it comes within the wait,
 * else with "pending" (202 and a status URL). The allocator decides everything about seats; this checks who may ask
 * what, finds the event a hold or booking belongs to, and keeps Idempotency-Keys honest.
 */
import type { AccessClaims } from '../auth/access-tokens.js';
import { requiresMfa } from '../auth/roles.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { ReservationCommand } from '../../processors/seat-allocation/model.js';
import { answerFor, type Answer } from './answers.js';
import type { CommandProducer } from './command-producer.js';
import { cancelCommand, holdCommand, releaseCommand, type HoldBody, type Origin } from './commands.js';
import type { DecisionWaiter } from './decision-waiter.js';
import {
  bookingOwner,
  decisionOf,
  eventOrganizer,
  holdOf,
  holdOwner,
  sectionKind,
  type DecisionRow,
  type HoldRow,
} from './read-models.js';
import { fingerprint, requestIdFor, requestIdOfBooking, requestIdOfHold, type Operation } from './request-ids.js';
import type { RequestRegistry } from './request-registry.js';
import type { HoldView } from './views.js';

export type Outcome = { kind: 'decided'; requestId: string; answer: Answer } | { kind: 'pending'; requestId: string };

export interface RequestStatus {
  requestId: string;
  status: 'PENDING' | 'ACCEPTED' | 'REJECTED';
  eventId: string;
  /** The decision's type (SeatsHeld, HoldRejected, ...), null while pending. */
  decision: string | null;
  code: string | null;
  message: string | null;
  holdId: string | null;
  bookingId: string | null;
  seatIds: string[];
  decidedAt: string | null;
  /** The hold as the read model has it, for an accepted hold request. */
  hold: (Omit<HoldView, 'status'> & { status: string }) | null;
}

export interface BookingDeps {
  ctx: ApiContext;
  producer: CommandProducer;
  waiter: DecisionWaiter;
  registry: RequestRegistry;
  decisionWaitMs: number;
}

export class BookingService {
  constructor(private readonly d: BookingDeps) {}

  /** POST /v1/events/{eventId}/holds */
  async hold(
    p: AccessClaims,
    eventId: string,
    idempotencyKey: string,
    body: HoldBody,
    traceparent: string,
  ): Promise<Outcome> {
    const requestId = requestIdFor('hold', p.sub, idempotencyKey);
    await this.claim(requestId, 'hold', eventId, p.sub, { eventId, body });
    const ga =
      'quantity' in body && body.sectionId !== undefined
        ? (await sectionKind(this.d.ctx.pool, eventId, body.sectionId)) === 'generalAdmission'
        : false;
    return this.run('hold', holdCommand(this.origin(p, requestId, eventId, traceparent), body, ga));
  }

  /** DELETE /v1/holds/{holdId} */
  async release(p: AccessClaims, holdId: string, traceparent: string): Promise<Outcome> {
    const eventId = await this.eventOfHold(holdId);
    const requestId = requestIdFor('release', p.sub, holdId);
    await this.claim(requestId, 'release', eventId, p.sub, { holdId });
    return this.run('release', releaseCommand(this.origin(p, requestId, eventId, traceparent), holdId));
  }

  /**
   * DELETE /v1/bookings/{bookingId}: by its owner, or by an operator (an admin, or the organizer of the event, both
   * with a verified second factor) on the owner's behalf.
   */
  async cancel(p: AccessClaims, bookingId: string, reason: string | null, traceparent: string): Promise<Outcome> {
    const holdRequestId = requestIdOfBooking(bookingId);
    if (holdRequestId === null) throw new ApiError('SS_ERR_BOOKING_NOT_FOUND');
    const known = (await bookingOwner(this.d.ctx.pool, bookingId)) ?? (await this.d.registry.get(holdRequestId));
    if (!known) throw new ApiError('SS_ERR_BOOKING_NOT_FOUND');
    const byOperator = known.buyerId !== p.sub && (p.role === 'admin' || p.role === 'organizer');
    if (byOperator) {
      if (requiresMfa(p.role) && !p.amr.includes('otp')) throw new ApiError('SS_ERR_AUTH_MFA_REQUIRED');
      if (p.role === 'organizer' && (await eventOrganizer(this.d.ctx.pool, known.eventId)) !== p.sub)
        throw new ApiError('SS_ERR_AUTH_FORBIDDEN', 'only the organizer of the event may cancel its bookings');
    }
    const requestId = requestIdFor('cancel', p.sub, bookingId);
    await this.claim(requestId, 'cancel', known.eventId, p.sub, { bookingId, reason, byOperator });
    const origin = this.origin(p, requestId, known.eventId, traceparent);
    return this.run('cancel', cancelCommand(origin, bookingId, reason, byOperator));
  }

  /** GET /v1/requests/{requestId}: the decision from the read model, or pending while only the API knows it. */
  async status(p: AccessClaims, requestId: string): Promise<RequestStatus> {
    const row = await decisionOf(this.d.ctx.pool, requestId);
    if (row && (row.buyer_id === p.sub || p.role === 'admin')) return this.decided(row);
    const known = await this.d.registry.get(requestId);
    if (!known || (known.buyerId !== p.sub && p.role !== 'admin'))
      throw new ApiError('SS_ERR_BOOKING_REQUEST_NOT_FOUND');
    return {
      requestId,
      status: 'PENDING',
      eventId: known.eventId,
      decision: null,
      code: null,
      message: null,
      holdId: null,
      bookingId: null,
      seatIds: [],
      decidedAt: null,
      hold: null,
    };
  }

  private origin(p: AccessClaims, requestId: string, eventId: string, traceparent: string): Origin {
    return { requestId, eventId, buyerId: p.sub, role: p.role, issuedAt: this.d.ctx.now().getTime(), traceparent };
  }

  private async claim(requestId: string, operation: Operation, eventId: string, buyerId: string, params: unknown) {
    const claim = await this.d.registry.claim(requestId, {
      operation,
      eventId,
      buyerId,
      fingerprint: fingerprint(params),
      at: this.d.ctx.now().getTime(),
    });
    if (claim.kind === 'conflict') throw new ApiError('SS_ERR_BOOKING_IDEMPOTENCY_KEY_REUSED');
  }

  /** Sends the command (again, for a retry: the allocator answers a known request id with its remembered decision). */
  private async run(operation: Operation, command: ReservationCommand): Promise<Outcome> {
    const { requestId } = command;
    const decision = await this.d.waiter.request(requestId, this.d.decisionWaitMs, () =>
      this.d.producer.send(command, command.traceparent!),
    );
    if (!decision) return { kind: 'pending', requestId };
    return { kind: 'decided', requestId, answer: answerFor(operation, decision) };
  }

  /** The event of a hold: from the request registry (holds made through the API, for a day), else the read model. */
  private async eventOfHold(holdId: string): Promise<string> {
    const holdRequestId = requestIdOfHold(holdId);
    if (holdRequestId === null) throw new ApiError('SS_ERR_BOOKING_HOLD_NOT_FOUND');
    const known = await this.d.registry.get(holdRequestId);
    if (known?.operation === 'hold') return known.eventId;
    const row = await holdOwner(this.d.ctx.pool, holdId);
    if (!row) throw new ApiError('SS_ERR_BOOKING_HOLD_NOT_FOUND');
    return row.eventId;
  }

  private async decided(row: DecisionRow): Promise<RequestStatus> {
    const holdRow = row.kind === 'SeatsHeld' && row.hold_id ? await holdOf(this.d.ctx.pool, row.hold_id) : null;
    return {
      requestId: row.request_id,
      status: row.outcome,
      eventId: row.event_id,
      decision: row.kind,
      code: row.code,
      message: row.message,
      holdId: row.hold_id,
      bookingId: row.booking_id,
      seatIds: row.seat_ids,
      decidedAt: row.occurred_at.toISOString(),
      hold: holdRow ? holdFromRow(holdRow) : null,
    };
  }
}

function holdFromRow(r: HoldRow): RequestStatus['hold'] {
  return {
    requestId: r.request_id,
    holdId: r.hold_id,
    eventId: r.event_id,
    status: r.status,
    seats: r.seats as HoldView['seats'],
    generalAdmission: r.general_admission as HoldView['generalAdmission'],
    tickets: r.tickets,
    totalMinor: Number(r.total_minor),
    currency: r.currency,
    heldAt: r.held_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  };
}
