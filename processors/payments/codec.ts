/**
 * Avro values (schemas/generated/) ⇄ the saga's domain (model.ts): payment requests, payment results, the seat
 * allocator's decisions the saga listens to, and the commands it sends. Typed against the generated types, so a
 * schema change the saga does not follow fails to compile here.
 */
import type * as Req from '../../schemas/generated/payment-request.js';
import type * as Res from '../../schemas/generated/payment-result.js';
import type { ReservationCommand } from '../../schemas/generated/reservation-command.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import type { AllocatorCommand, GaLine, SagaInput, SagaOutput, SagaResult, SeatLine } from './model.js';

const ns = 'io.seatstream.payment.';
const rns = 'io.seatstream.reservation.';
const opt = (v: null | { string: string }): string | null => (v === null ? null : v.string);
const wrap = (v: string | null): null | { string: string } => (v === null ? null : { string: v });
const branch = <T extends object>(u: T): [string, unknown] => {
  const [k, v] = Object.entries(u)[0]!;
  return [k.slice(k.lastIndexOf('.') + 1), v];
};

const gaFromAvro = (g: null | { [k: string]: GaLine }): GaLine | null =>
  g === null ? null : { ...Object.values(g)[0]! };
const gaToAvro = (g: GaLine | null): null | { 'io.seatstream.payment.BookedPlaces': GaLine } =>
  g === null ? null : { 'io.seatstream.payment.BookedPlaces': g };

const seatLines = (seats: readonly SeatLine[]): SeatLine[] => seats.map((s) => ({ ...s }));

/// Requests

export function requestFromAvro(r: Req.PaymentRequest): SagaInput {
  const base = { holdId: r.holdId, eventId: r.eventId, buyerId: r.buyerId, at: r.occurredAt };
  const [name, v] = branch(r.request);
  switch (name) {
    case 'CheckoutRequested': {
      const c = v as Req.CheckoutRequested;
      return {
        ...base,
        type: name,
        checkoutId: c.checkoutId,
        token: c.paymentToken,
        provider: c.provider,
        locale: opt(c.locale),
      };
    }
    case 'HoldPlaced':
      return { ...base, type: name, ...(v as Req.HoldPlaced) };
    case 'HoldBooked': {
      const h = v as Req.HoldBooked;
      return { ...base, type: name, ...h, seats: seatLines(h.seats), generalAdmission: gaFromAvro(h.generalAdmission) };
    }
    case 'ConfirmationRejected':
      return { ...base, type: name, ...(v as Req.ConfirmationRejected) };
    case 'HoldEnded':
      return { ...base, type: name, reason: (v as Req.HoldEnded).reason };
    case 'BookingCancelled': {
      const c = v as Req.BookingCancelled;
      return { ...base, type: name, bookingId: c.bookingId, reason: opt(c.reason) };
    }
    case 'ProviderNotified': {
      const p = v as Req.ProviderNotified;
      return {
        ...base,
        type: name,
        provider: p.provider,
        providerEventId: p.providerEventId,
        kind: p.kind,
        paymentId: opt(p.paymentId),
      };
    }
    default:
      throw new Error(`unknown payment request ${name}`);
  }
}

export function requestToAvro(i: SagaInput, traceparent: string | null = null): Req.PaymentRequest {
  const envelope = {
    holdId: i.holdId,
    eventId: i.eventId,
    buyerId: i.buyerId,
    occurredAt: i.at,
    traceparent: wrap(traceparent),
  };
  const request = ((): Req.PaymentRequest['request'] => {
    switch (i.type) {
      case 'CheckoutRequested':
        return {
          [`${ns}CheckoutRequested`]: {
            checkoutId: i.checkoutId,
            paymentToken: i.token,
            provider: i.provider,
            locale: wrap(i.locale),
          },
        } as Req.PaymentRequest['request'];
      case 'HoldPlaced':
        return {
          [`${ns}HoldPlaced`]: {
            totalMinor: i.totalMinor,
            currency: i.currency,
            expiresAt: i.expiresAt,
            tickets: i.tickets,
          },
        } as Req.PaymentRequest['request'];
      case 'HoldBooked':
        return {
          [`${ns}HoldBooked`]: {
            bookingId: i.bookingId,
            paymentReference: i.paymentReference,
            seats: i.seats,
            generalAdmission: gaToAvro(i.generalAdmission),
            totalMinor: i.totalMinor,
            currency: i.currency,
          },
        } as Req.PaymentRequest['request'];
      case 'ConfirmationRejected':
        return { [`${ns}ConfirmationRejected`]: { code: i.code, message: i.message } } as Req.PaymentRequest['request'];
      case 'HoldEnded':
        return { [`${ns}HoldEnded`]: { reason: i.reason } } as Req.PaymentRequest['request'];
      case 'BookingCancelled':
        return {
          [`${ns}BookingCancelled`]: { bookingId: i.bookingId, reason: wrap(i.reason) },
        } as Req.PaymentRequest['request'];
      case 'ProviderNotified':
        return {
          [`${ns}ProviderNotified`]: {
            provider: i.provider,
            providerEventId: i.providerEventId,
            kind: i.kind,
            paymentId: wrap(i.paymentId),
          },
        } as Req.PaymentRequest['request'];
    }
  })();
  return { ...envelope, request };
}

/// Results

export interface ResultEnvelope {
  holdId: string;
  eventId: string;
  buyerId: string;
  checkoutId: string | null;
  seq: number;
  locale: string | null;
  occurredAt: number;
}

export function resultToAvro(e: ResultEnvelope, r: SagaResult): Res.PaymentResult {
  const { type, ...fields } = r;
  const value =
    r.type === 'PaymentRefunded'
      ? { ...fields, bookingId: wrap(r.bookingId) }
      : r.type === 'CheckoutCompleted'
        ? { ...fields, generalAdmission: gaToAvro(r.generalAdmission) }
        : fields;
  return {
    holdId: e.holdId,
    eventId: e.eventId,
    buyerId: e.buyerId,
    checkoutId: wrap(e.checkoutId),
    seq: e.seq,
    locale: wrap(e.locale),
    occurredAt: e.occurredAt,
    result: { [`${ns}${type}`]: value } as Res.PaymentResult['result'],
  };
}

export function resultFromAvro(a: Res.PaymentResult): ResultEnvelope & { result: SagaResult } {
  const [type, v] = branch(a.result);
  const fields = v as Record<string, unknown>;
  let result: SagaResult;
  if (type === 'PaymentRefunded')
    result = {
      ...(fields as object),
      type,
      bookingId: opt(fields.bookingId as null | { string: string }),
    } as SagaResult;
  else if (type === 'CheckoutCompleted')
    result = {
      ...(fields as object),
      type,
      seats: seatLines(fields.seats as SeatLine[]),
      generalAdmission: gaFromAvro(fields.generalAdmission as null | { [k: string]: GaLine }),
    } as SagaResult;
  else result = { ...(fields as object), type } as SagaResult;
  return {
    holdId: a.holdId,
    eventId: a.eventId,
    buyerId: a.buyerId,
    checkoutId: opt(a.checkoutId),
    seq: a.seq,
    locale: opt(a.locale),
    occurredAt: a.occurredAt,
    result,
  };
}

export type { SagaOutput };

/// The seat allocator's decisions the saga listens to (repartitioned by holdId)

/** The saga input a reservation decision becomes, or null when the saga has no use for it (replays included). */
export function sagaInputOfDecision(e: ReservationEvent): SagaInput | null {
  if (e.replay) return null;
  const [name, v] = branch(e.decision);
  const base = { eventId: e.eventId, buyerId: e.buyerId, at: e.occurredAt };
  switch (name) {
    case 'SeatsHeld': {
      const h = v as {
        holdId: string;
        seats: SeatLine[];
        generalAdmission: null | { [k: string]: GaLine };
        totalMinor: number;
        currency: string;
        expiresAt: number;
      };
      const ga = gaFromAvro(h.generalAdmission);
      return {
        ...base,
        type: 'HoldPlaced',
        holdId: h.holdId,
        totalMinor: h.totalMinor,
        currency: h.currency,
        expiresAt: h.expiresAt,
        tickets: h.seats.length + (ga?.quantity ?? 0),
      };
    }
    case 'BookingConfirmed': {
      const c = v as {
        bookingId: string;
        holdId: string;
        seats: SeatLine[];
        generalAdmission: null | { [k: string]: GaLine };
        paymentReference: string;
        totalMinor: number;
        currency: string;
      };
      return {
        ...base,
        type: 'HoldBooked',
        holdId: c.holdId,
        bookingId: c.bookingId,
        paymentReference: c.paymentReference,
        seats: seatLines(c.seats),
        generalAdmission: gaFromAvro(c.generalAdmission),
        totalMinor: c.totalMinor,
        currency: c.currency,
      };
    }
    case 'CommandRejected': {
      const r = v as { command: string; code: string; message: string; holdId: null | { string: string } };
      const holdId = opt(r.holdId);
      if (r.command !== 'CONFIRM_BOOKING' || holdId === null || !e.requestId.startsWith('pay:')) return null;
      return { ...base, type: 'ConfirmationRejected', holdId, code: r.code, message: r.message };
    }
    case 'HoldExpired':
    case 'HoldReleased':
      return {
        ...base,
        type: 'HoldEnded',
        holdId: (v as { holdId: string }).holdId,
        reason: name === 'HoldExpired' ? 'EXPIRED' : 'RELEASED',
      };
    case 'BookingCancelled': {
      const c = v as { bookingId: string; holdId: string; reason: null | { string: string } };
      return { ...base, type: 'BookingCancelled', holdId: c.holdId, bookingId: c.bookingId, reason: opt(c.reason) };
    }
    default:
      return null;
  }
}

/// Commands to the seat allocator

export function commandToAvro(c: AllocatorCommand, issuedAt: number): ReservationCommand {
  const command = ((): ReservationCommand['command'] => {
    switch (c.type) {
      case 'ConfirmBooking':
        return {
          [`${rns}ConfirmBooking`]: { holdId: c.holdId, paymentReference: c.paymentReference },
        } as ReservationCommand['command'];
      case 'ReleaseHold':
        return { [`${rns}ReleaseHold`]: { holdId: c.holdId } } as ReservationCommand['command'];
      case 'CancelBooking':
        return {
          [`${rns}CancelBooking`]: { bookingId: c.bookingId, reason: { string: c.reason }, byOperator: false },
        } as ReservationCommand['command'];
    }
  })();
  return {
    requestId: c.requestId,
    eventId: c.eventId,
    buyerId: c.buyerId,
    issuedAt,
    channel: { string: 'system' },
    partnerId: null,
    traceparent: null,
    command,
  };
}
