/**
 * The payment saga of one hold, as a pure decider: `onInput(state, input, now)` for what happens to the hold,
 * `onOutcome(state, outcome, now)` for the answer of a provider call the saga asked for (`state.due`), `onDeadline`
 * for its timers. Each returns the new state, the steps to publish and the commands for the seat allocator; the
 * processor persists all three in one Kafka transaction, so a step is published exactly once, with its state.
 *
 *   checkout → authorise ─ok─→ ConfirmBooking → booked → capture ─ok─→ CheckoutCompleted
 *                  │                    └─ rejected (expired…) → CheckoutFailed, void
 *                  ├─ declined / refused → CheckoutFailed, ReleaseHold (seats back at once)
 *                  ├─ timeout / 5xx → retried with backoff until MAX_AUTHORISE_ATTEMPTS or the hold's expiry,
 *                  │                  then CheckoutFailed (the hold is left to expire)
 *                  └─ circuit open → CheckoutFailed at once (the hold is left to expire)
 *   booking cancelled → refund
 *
 * Capture, void and refund are retried without limit (with a capped backoff): once a booking exists its payment
 * must be captured, and once a checkout failed its authorisation must be cancelled. A capture the provider refuses
 * for good cancels the booking (nothing is sold without a captured payment).
 */
import type { PaymentStep } from './provider/provider.js';
import type {
  AllocatorCommand,
  CallOutcome,
  CheckoutFailureCode,
  Decision,
  SagaInput,
  SagaOutput,
  SagaResult,
  SagaState,
} from './model.js';

export const MAX_AUTHORISE_ATTEMPTS = 4;
/** How long a checkout waits for the seat allocator's word on its hold before it fails (PAY_HOLD_NOT_FOUND). */
export const HOLD_WAIT_MS = 15_000;

/** Exponential backoff: 250 ms, 500 ms, 1 s, … capped (5 s for authorise, 30 s for the steps that must finish). */
export const backoffMs = (step: PaymentStep, attempt: number): number =>
  Math.min(250 * 2 ** Math.max(0, attempt - 1), step === 'authorise' ? 5_000 : 30_000);

/** Request ids of the saga's commands: derived, so the allocator answers a repeat with the same decision. */
export const commandRequestId = (holdId: string, what: 'confirm' | 'release' | 'cancel'): string =>
  `pay:${holdId}:${what}`;

const terminal = new Set(['completed', 'failed', 'refunded', 'refundFailed']);

const fresh = (input: SagaInput): SagaState => ({
  holdId: input.holdId,
  eventId: input.eventId,
  buyerId: input.buyerId,
  phase: 'held',
  hold: null,
  checkout: null,
  paymentId: null,
  booking: null,
  refundAfterCapture: false,
  due: null,
  failure: null,
  seq: 0,
});

class Builder {
  readonly outputs: SagaOutput[] = [];
  readonly commands: AllocatorCommand[] = [];
  constructor(public state: SagaState | null) {}

  emit(result: SagaResult, checkoutId = this.state?.checkout?.checkoutId ?? null): this {
    this.outputs.push({ checkoutId, result });
    return this;
  }

  command(c: AllocatorCommand): this {
    this.commands.push(c);
    return this;
  }

  decision(): Decision {
    return { state: this.state, outputs: this.outputs, commands: this.commands };
  }
}

const unchanged = (state: SagaState | null): Decision => ({ state, outputs: [], commands: [] });

/** Ends the checkout without a booking. `release`: give the seats back now (else the hold expires by itself). */
function fail(b: Builder, s: SagaState, code: CheckoutFailureCode, message: string, release: boolean): Decision {
  s.failure = { code, message };
  s.phase = s.paymentId && !s.booking ? 'voiding' : 'failed';
  s.due = s.phase === 'voiding' ? { step: 'void', at: 0, attempt: 0 } : null;
  b.emit({ type: 'CheckoutFailed', code, message, holdReleased: release });
  if (release)
    b.command({
      type: 'ReleaseHold',
      requestId: commandRequestId(s.holdId, 'release'),
      eventId: s.eventId,
      buyerId: s.buyerId,
      holdId: s.holdId,
    });
  return b.decision();
}

function startAuthorising(b: Builder, s: SagaState, now: number): Decision {
  const hold = s.hold!;
  const checkout = s.checkout!;
  if (checkout.buyerId !== s.buyerId) {
    // Only possible for a checkout that came before its hold: refuse it and forget it.
    b.emit({
      type: 'CheckoutFailed',
      code: 'PAY_NOT_HOLD_OWNER',
      message: 'the hold belongs to another buyer',
      holdReleased: false,
    });
    s.checkout = null;
    s.phase = 'held';
    s.due = null;
    return b.decision();
  }
  if (hold.expiresAt <= now) return fail(b, s, 'PAY_HOLD_EXPIRED', 'the hold has expired', false);
  s.phase = 'authorising';
  s.due = { step: 'authorise', at: now, attempt: 0 };
  return b.decision();
}

export function onInput(current: SagaState | undefined, input: SagaInput, now: number): Decision {
  const s: SagaState = current ? structuredClone(current) : fresh(input);
  const b = new Builder(s);
  switch (input.type) {
    case 'CheckoutRequested': {
      if (s.checkout?.checkoutId === input.checkoutId) return unchanged(current ?? null); // a repeat
      if (s.hold && input.buyerId !== s.buyerId) {
        b.emit(
          {
            type: 'CheckoutFailed',
            code: 'PAY_NOT_HOLD_OWNER',
            message: 'the hold belongs to another buyer',
            holdReleased: false,
          },
          input.checkoutId,
        );
        return current ? b.decision() : { ...b.decision(), state: null };
      }
      if (s.checkout) {
        // One checkout per hold: another attempt is told the hold is already being paid for or was.
        const code: CheckoutFailureCode = s.booking
          ? 'PAY_BOOKING_REJECTED'
          : (s.failure?.code ?? 'PAY_BOOKING_REJECTED');
        b.emit(
          { type: 'CheckoutFailed', code, message: 'this hold already has a checkout', holdReleased: false },
          input.checkoutId,
        );
        return b.decision();
      }
      s.checkout = {
        checkoutId: input.checkoutId,
        token: input.token,
        provider: input.provider,
        buyerId: input.buyerId,
        locale: input.locale,
        at: input.at,
      };
      if (s.phase === 'failed' && s.failure) {
        // The hold ended before any checkout (expired, released): say so.
        b.emit({ type: 'CheckoutFailed', code: s.failure.code, message: s.failure.message, holdReleased: false });
        return b.decision();
      }
      if (!s.hold) {
        s.phase = 'awaitingHold';
        s.due = { step: 'holdDeadline', at: now + HOLD_WAIT_MS, attempt: 0 };
        return b.decision();
      }
      return startAuthorising(b, s, now);
    }
    case 'HoldPlaced': {
      if (s.hold) return unchanged(current ?? null);
      s.hold = {
        totalMinor: input.totalMinor,
        currency: input.currency,
        expiresAt: input.expiresAt,
        tickets: input.tickets,
      };
      s.buyerId = input.buyerId;
      s.eventId = input.eventId;
      if (s.phase === 'awaitingHold') return startAuthorising(b, s, now);
      return b.decision();
    }
    case 'HoldBooked': {
      if (s.phase !== 'confirming' || input.paymentReference !== s.paymentId) {
        // A booking not made by this saga (or a late duplicate): nothing to pay for here.
        return s.phase === 'held' ? { ...b.decision(), state: null } : unchanged(current ?? null);
      }
      s.booking = {
        bookingId: input.bookingId,
        seats: input.seats,
        generalAdmission: input.generalAdmission,
        totalMinor: input.totalMinor,
        currency: input.currency,
      };
      s.phase = 'capturing';
      s.due = { step: 'capture', at: now, attempt: 0 };
      return b.decision();
    }
    case 'ConfirmationRejected': {
      if (s.phase !== 'confirming') return unchanged(current ?? null);
      const expired = input.code === 'RSV_HOLD_EXPIRED' || input.code === 'RSV_HOLD_NOT_FOUND';
      return fail(b, s, expired ? 'PAY_HOLD_EXPIRED' : 'PAY_BOOKING_REJECTED', input.message, false);
    }
    case 'HoldEnded': {
      if (s.phase === 'held') return { ...b.decision(), state: null };
      if (s.phase === 'authorising' || s.phase === 'awaitingHold')
        return fail(
          b,
          s,
          'PAY_HOLD_EXPIRED',
          `the hold ${input.reason === 'EXPIRED' ? 'expired' : 'was released'} before the payment was authorised`,
          false,
        );
      return unchanged(current ?? null);
    }
    case 'BookingCancelled': {
      if (!s.booking || s.booking.bookingId !== input.bookingId) return unchanged(current ?? null);
      if (s.phase === 'completed') {
        s.phase = 'refunding';
        s.due = { step: 'refund', at: now, attempt: 0 };
      } else if (s.phase === 'capturing') s.refundAfterCapture = true;
      return b.decision();
    }
    case 'ProviderNotified': {
      // A webhook says a step we are waiting to retry is done: retry it now (same key: the provider's stored answer).
      const step = ({ authorised: 'authorise', captured: 'capture', voided: 'void', refunded: 'refund' } as const)[
        input.kind as 'authorised' | 'captured' | 'voided' | 'refunded'
      ];
      if (!s.due || s.due.step !== step || s.due.at <= now || !current) return unchanged(current ?? null);
      if (input.paymentId && s.paymentId && input.paymentId !== s.paymentId) return unchanged(current);
      s.due = { ...s.due, at: now };
      return b.decision();
    }
    default: {
      const never: never = input;
      return never;
    }
  }
}

export function onOutcome(current: SagaState, outcome: CallOutcome, now: number): Decision {
  if (!current.due || current.due.step !== outcome.step) return unchanged(current);
  const s = structuredClone(current);
  const b = new Builder(s);
  const attempt = s.due!.attempt + 1;
  const retryLater = (code: string, message: string): Decision => {
    const nextAttemptAt = now + backoffMs(outcome.step, attempt);
    s.due = { step: outcome.step, at: nextAttemptAt, attempt };
    b.emit({ type: 'PaymentAttemptFailed', step: outcome.step, code, message, attempt, nextAttemptAt });
    return b.decision();
  };

  if (!outcome.ok) {
    if (outcome.step === 'authorise') {
      if (outcome.code === 'PAY_CIRCUIT_OPEN') return fail(b, s, 'PAY_CIRCUIT_OPEN', outcome.message, false);
      if (!outcome.retriable) return fail(b, s, failureCode(outcome.code), outcome.message, true);
      const next = now + backoffMs('authorise', attempt);
      if (attempt >= MAX_AUTHORISE_ATTEMPTS || next >= s.hold!.expiresAt)
        return fail(b, s, failureCode(outcome.code), `${outcome.message} (after ${attempt} attempts)`, false);
      return retryLater(outcome.code, outcome.message);
    }
    if (outcome.retriable) return retryLater(outcome.code, outcome.message);
    // Final refusals of the steps that must finish.
    if (outcome.step === 'capture') {
      b.command({
        type: 'CancelBooking',
        requestId: commandRequestId(s.holdId, 'cancel'),
        eventId: s.eventId,
        buyerId: s.buyerId,
        bookingId: s.booking!.bookingId,
        reason: `payment capture refused: ${outcome.message}`,
      });
      s.failure = { code: 'PAY_CAPTURE_FAILED', message: outcome.message };
      s.phase = 'voiding';
      s.due = { step: 'void', at: now, attempt: 0 };
      b.emit({ type: 'CheckoutFailed', code: 'PAY_CAPTURE_FAILED', message: outcome.message, holdReleased: true });
      return b.decision();
    }
    if (outcome.step === 'void') {
      // Nothing left to cancel (already voided or expired at the provider).
      s.phase = 'failed';
      s.due = null;
      b.emit({
        type: 'PaymentAttemptFailed',
        step: 'void',
        code: outcome.code,
        message: outcome.message,
        attempt,
        nextAttemptAt: now,
      });
      return b.decision();
    }
    s.phase = 'refundFailed';
    s.due = null;
    b.emit({
      type: 'PaymentAttemptFailed',
      step: 'refund',
      code: outcome.code,
      message: outcome.message,
      attempt,
      nextAttemptAt: now,
    });
    return b.decision();
  }

  switch (outcome.step) {
    case 'authorise': {
      if (s.phase !== 'authorising') return unchanged(current);
      s.paymentId = outcome.paymentId;
      s.phase = 'confirming';
      s.due = null;
      b.emit({
        type: 'PaymentAuthorised',
        provider: s.checkout!.provider,
        paymentId: outcome.paymentId,
        amountMinor: outcome.amountMinor,
        currency: outcome.currency,
      });
      b.command({
        type: 'ConfirmBooking',
        requestId: commandRequestId(s.holdId, 'confirm'),
        eventId: s.eventId,
        buyerId: s.buyerId,
        holdId: s.holdId,
        paymentReference: outcome.paymentId,
      });
      return b.decision();
    }
    case 'capture': {
      const booking = s.booking!;
      b.emit({
        type: 'PaymentCaptured',
        paymentId: s.paymentId!,
        amountMinor: booking.totalMinor,
        currency: booking.currency,
      });
      b.emit({
        type: 'CheckoutCompleted',
        bookingId: booking.bookingId,
        paymentId: s.paymentId!,
        totalMinor: booking.totalMinor,
        currency: booking.currency,
        seats: booking.seats,
        generalAdmission: booking.generalAdmission,
      });
      s.phase = s.refundAfterCapture ? 'refunding' : 'completed';
      s.due = s.refundAfterCapture ? { step: 'refund', at: now, attempt: 0 } : null;
      return b.decision();
    }
    case 'void': {
      b.emit({ type: 'PaymentVoided', paymentId: s.paymentId! });
      s.phase = 'failed';
      s.due = null;
      return b.decision();
    }
    case 'refund': {
      b.emit({
        type: 'PaymentRefunded',
        paymentId: s.paymentId!,
        refundId: outcome.refundId,
        amountMinor: outcome.amountMinor,
        currency: s.booking!.currency,
        bookingId: s.booking!.bookingId,
      });
      s.phase = 'refunded';
      s.due = null;
      return b.decision();
    }
  }
}

/** A timer of `state.due` that is not a provider call (the wait for the hold) has come. */
export function onDeadline(current: SagaState, now: number): Decision {
  if (current.due?.step !== 'holdDeadline' || current.due.at > now) return unchanged(current);
  const s = structuredClone(current);
  return fail(new Builder(s), s, 'PAY_HOLD_NOT_FOUND', 'no such live hold', false);
}

export const isTerminal = (s: SagaState): boolean => terminal.has(s.phase);

const failureCodes = new Set<string>([
  'PAY_DECLINED',
  'PAY_PROVIDER_TIMEOUT',
  'PAY_PROVIDER_UNAVAILABLE',
  'PAY_PROVIDER_REJECTED',
  'PAY_CIRCUIT_OPEN',
  'PAY_UNKNOWN_PROVIDER',
]);
const failureCode = (code: string): CheckoutFailureCode =>
  (failureCodes.has(code) ? code : 'PAY_PROVIDER_REJECTED') as CheckoutFailureCode;
