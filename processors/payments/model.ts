/**
 * The payment saga's domain: its inputs (what happened to a hold), the provider-call outcomes it is fed, its state
 * per hold, and what it decides (steps on payment.results.v1, commands to the seat allocator). Plain data, no IO.
 */
import type { PaymentStep } from './provider/provider.js';

export interface SeatLine {
  seatId: string;
  sectionId: string;
  rowLabel: string;
  seatLabel: string;
  priceCategoryId: string;
  priceMinor: number;
}

export interface GaLine {
  sectionId: string;
  quantity: number;
  priceCategoryId: string;
  unitPriceMinor: number;
}

interface InputBase {
  holdId: string;
  eventId: string;
  buyerId: string;
  at: number;
}

export type SagaInput =
  | (InputBase & {
      type: 'CheckoutRequested';
      checkoutId: string;
      token: string;
      provider: string;
      locale: string | null;
    })
  | (InputBase & { type: 'HoldPlaced'; totalMinor: number; currency: string; expiresAt: number; tickets: number })
  | (InputBase & {
      type: 'HoldBooked';
      bookingId: string;
      paymentReference: string;
      seats: SeatLine[];
      generalAdmission: GaLine | null;
      totalMinor: number;
      currency: string;
    })
  | (InputBase & { type: 'ConfirmationRejected'; code: string; message: string })
  | (InputBase & { type: 'HoldEnded'; reason: 'EXPIRED' | 'RELEASED' })
  | (InputBase & { type: 'BookingCancelled'; bookingId: string; reason: string | null })
  | (InputBase & {
      type: 'ProviderNotified';
      provider: string;
      providerEventId: string;
      kind: string;
      paymentId: string | null;
    });

/** Stable failure codes of a checkout (CheckoutFailed.code; the API maps them to SS_ERR_CHECKOUT_* errors). */
export type CheckoutFailureCode =
  | 'PAY_DECLINED'
  | 'PAY_PROVIDER_TIMEOUT'
  | 'PAY_PROVIDER_UNAVAILABLE'
  | 'PAY_PROVIDER_REJECTED'
  | 'PAY_CIRCUIT_OPEN'
  | 'PAY_HOLD_EXPIRED'
  | 'PAY_HOLD_NOT_FOUND'
  | 'PAY_NOT_HOLD_OWNER'
  | 'PAY_BOOKING_REJECTED'
  | 'PAY_CAPTURE_FAILED'
  | 'PAY_UNKNOWN_PROVIDER';

export type SagaResult =
  | { type: 'PaymentAuthorised'; provider: string; paymentId: string; amountMinor: number; currency: string }
  | {
      type: 'PaymentAttemptFailed';
      step: PaymentStep;
      code: string;
      message: string;
      attempt: number;
      nextAttemptAt: number;
    }
  | { type: 'PaymentCaptured'; paymentId: string; amountMinor: number; currency: string }
  | { type: 'PaymentVoided'; paymentId: string }
  | {
      type: 'PaymentRefunded';
      paymentId: string;
      refundId: string;
      amountMinor: number;
      currency: string;
      bookingId: string | null;
    }
  | {
      type: 'CheckoutCompleted';
      bookingId: string;
      paymentId: string;
      totalMinor: number;
      currency: string;
      seats: SeatLine[];
      generalAdmission: GaLine | null;
    }
  | { type: 'CheckoutFailed'; code: CheckoutFailureCode; message: string; holdReleased: boolean };

/** A step output with the checkout it answers (a refused intruder's checkout is not the saga's own). */
export interface SagaOutput {
  checkoutId: string | null;
  result: SagaResult;
}

export type AllocatorCommand =
  | {
      type: 'ConfirmBooking';
      requestId: string;
      eventId: string;
      buyerId: string;
      holdId: string;
      paymentReference: string;
    }
  | { type: 'ReleaseHold'; requestId: string; eventId: string; buyerId: string; holdId: string }
  | { type: 'CancelBooking'; requestId: string; eventId: string; buyerId: string; bookingId: string; reason: string };

export type Phase =
  | 'held' // a hold without checkout
  | 'awaitingHold' // a checkout whose hold the saga has not heard of yet
  | 'authorising'
  | 'confirming' // authorised; ConfirmBooking sent
  | 'capturing' // booked; capture due
  | 'completed'
  | 'voiding' // authorised but no booking: cancel the authorisation
  | 'failed'
  | 'refunding'
  | 'refunded'
  | 'refundFailed';

/** A provider call or a timer the saga waits for. */
export interface Due {
  step: PaymentStep | 'holdDeadline';
  at: number;
  /** Attempts of this step already made. */
  attempt: number;
}

export interface SagaState {
  holdId: string;
  eventId: string;
  /** The hold's owner once known; until then the checkout's buyer. */
  buyerId: string;
  phase: Phase;
  hold: { totalMinor: number; currency: string; expiresAt: number; tickets: number } | null;
  checkout: {
    checkoutId: string;
    token: string;
    provider: string;
    buyerId: string;
    locale: string | null;
    at: number;
  } | null;
  paymentId: string | null;
  booking: {
    bookingId: string;
    seats: SeatLine[];
    generalAdmission: GaLine | null;
    totalMinor: number;
    currency: string;
  } | null;
  /** Cancelled while its capture was still due: refund once captured. */
  refundAfterCapture: boolean;
  due: Due | null;
  failure: { code: CheckoutFailureCode; message: string } | null;
  /** Steps written so far (the seq of the last one). */
  seq: number;
}

export type CallOutcome =
  | { step: 'authorise'; ok: true; paymentId: string; amountMinor: number; currency: string }
  | { step: 'capture' | 'void'; ok: true }
  | { step: 'refund'; ok: true; refundId: string; amountMinor: number }
  | { step: PaymentStep; ok: false; code: string; retriable: boolean; message: string };

export interface Decision {
  /** The new state; null deletes it. */
  state: SagaState | null;
  outputs: SagaOutput[];
  commands: AllocatorCommand[];
}
