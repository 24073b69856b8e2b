/** The payment saga decider, given/when/then without Kafka or a provider. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallOutcome, Decision, SagaInput, SagaState } from './model.js';
import {
  HOLD_WAIT_MS,
  MAX_AUTHORISE_ATTEMPTS,
  backoffMs,
  commandRequestId,
  onDeadline,
  onInput,
  onOutcome,
} from './saga.js';

const T0 = 1_800_000_000_000;
const holdId = 'H-r1';
const base = { holdId, eventId: 'E1', buyerId: 'alice', at: T0 };
const placed: SagaInput = {
  ...base,
  type: 'HoldPlaced',
  totalMinor: 9_000,
  currency: 'MAD',
  expiresAt: T0 + 600_000,
  tickets: 2,
};
const checkout: SagaInput = {
  ...base,
  type: 'CheckoutRequested',
  checkoutId: 'C1',
  token: 'tok_success',
  provider: 'sandbox',
  locale: 'ar',
};
const seats = [
  { seatId: 'A-1-1', sectionId: 'A', rowLabel: '1', seatLabel: '1', priceCategoryId: 'CAT1', priceMinor: 4_500 },
];
const booked: SagaInput = {
  ...base,
  type: 'HoldBooked',
  bookingId: 'B-r1',
  paymentReference: 'pay_1',
  seats,
  generalAdmission: null,
  totalMinor: 9_000,
  currency: 'MAD',
};
const authorised: CallOutcome = {
  step: 'authorise',
  ok: true,
  paymentId: 'pay_1',
  amountMinor: 9_000,
  currency: 'MAD',
};
const failed = (step: CallOutcome['step'], code: string, retriable: boolean): CallOutcome => ({
  step,
  ok: false,
  code,
  retriable,
  message: code,
});

/** Folds inputs and outcomes, returning every decision. */
function run(...steps: (SagaInput | CallOutcome | 'deadline')[]): { state: SagaState | null; decisions: Decision[] } {
  let state: SagaState | null = null;
  const decisions: Decision[] = [];
  let now = T0;
  for (const step of steps) {
    now += 10;
    const d: Decision =
      step === 'deadline'
        ? onDeadline(state!, state!.due!.at)
        : 'type' in step
          ? onInput(state ?? undefined, step, now)
          : onOutcome(state!, step, now);
    decisions.push(d);
    state = d.state;
  }
  return { state, decisions };
}
const results = (d: Decision[]) => d.flatMap((x) => x.outputs.map((o) => o.result.type));
const commands = (d: Decision[]) => d.flatMap((x) => x.commands.map((c) => c.type));

describe('payment saga', () => {
  it('checkout → authorise → confirm → capture → completed', () => {
    const { state, decisions } = run(placed, checkout, authorised, booked, { step: 'capture', ok: true });
    assert.deepEqual(results(decisions), ['PaymentAuthorised', 'PaymentCaptured', 'CheckoutCompleted']);
    assert.deepEqual(decisions[2]!.commands, [
      {
        type: 'ConfirmBooking',
        requestId: commandRequestId(holdId, 'confirm'),
        eventId: 'E1',
        buyerId: 'alice',
        holdId,
        paymentReference: 'pay_1',
      },
    ]);
    assert.equal(state!.phase, 'completed');
    assert.equal(state!.due, null);
  });

  it('asks for the authorisation at once once both the hold and the checkout are known, in either order', () => {
    assert.deepEqual(run(placed, checkout).state!.due, { step: 'authorise', at: T0 + 20, attempt: 0 });
    const early = run(checkout, placed);
    assert.equal(early.state!.phase, 'authorising');
    assert.equal(early.state!.buyerId, 'alice');
  });

  it('a decline fails the checkout and releases the hold at once', () => {
    const { state, decisions } = run(placed, checkout, failed('authorise', 'PAY_DECLINED', false));
    assert.deepEqual(results(decisions), ['CheckoutFailed']);
    assert.deepEqual(decisions[2]!.outputs[0]!.result, {
      type: 'CheckoutFailed',
      code: 'PAY_DECLINED',
      message: 'PAY_DECLINED',
      holdReleased: true,
    });
    assert.deepEqual(commands(decisions), ['ReleaseHold']);
    assert.equal(state!.phase, 'failed');
  });

  it('retries a timing-out authorisation with backoff and the same step, then gives up and leaves the hold to expire', () => {
    const attempts = Array.from({ length: MAX_AUTHORISE_ATTEMPTS }, () =>
      failed('authorise', 'PAY_PROVIDER_TIMEOUT', true),
    );
    const { state, decisions } = run(placed, checkout, ...attempts);
    assert.deepEqual(results(decisions), [
      ...Array.from({ length: MAX_AUTHORISE_ATTEMPTS - 1 }, () => 'PaymentAttemptFailed'),
      'CheckoutFailed',
    ]);
    const first = decisions[2]!;
    assert.deepEqual(first.state!.due, { step: 'authorise', at: T0 + 30 + backoffMs('authorise', 1), attempt: 1 });
    assert.equal((decisions.at(-1)!.outputs[0]!.result as { holdReleased: boolean }).holdReleased, false);
    assert.deepEqual(commands(decisions), [], 'no release: the hold expires by itself');
    assert.equal(state!.phase, 'failed');
  });

  it('an open circuit fails the checkout at once without releasing the hold', () => {
    const { decisions } = run(placed, checkout, failed('authorise', 'PAY_CIRCUIT_OPEN', true));
    assert.equal((decisions[2]!.outputs[0]!.result as { code: string }).code, 'PAY_CIRCUIT_OPEN');
    assert.deepEqual(commands(decisions), []);
  });

  it('a confirmation refused (hold expired) fails the checkout and voids the authorisation', () => {
    const rejected: SagaInput = { ...base, type: 'ConfirmationRejected', code: 'RSV_HOLD_EXPIRED', message: 'expired' };
    const { state, decisions } = run(placed, checkout, authorised, rejected, { step: 'void', ok: true });
    assert.deepEqual(results(decisions), ['PaymentAuthorised', 'CheckoutFailed', 'PaymentVoided']);
    assert.equal((decisions[3]!.outputs[0]!.result as { code: string }).code, 'PAY_HOLD_EXPIRED');
    assert.equal(state!.phase, 'failed');
  });

  it('a hold that expires while the authorisation is retried ends the checkout', () => {
    const ended: SagaInput = { ...base, type: 'HoldEnded', reason: 'EXPIRED' };
    const { state, decisions } = run(placed, checkout, failed('authorise', 'PAY_PROVIDER_UNAVAILABLE', true), ended);
    assert.equal((decisions[3]!.outputs[0]!.result as { code: string }).code, 'PAY_HOLD_EXPIRED');
    assert.equal(state!.due, null);
  });

  it('retries a capture without limit; a capture refused for good cancels the booking and voids', () => {
    const many = Array.from({ length: 8 }, () => failed('capture', 'PAY_PROVIDER_UNAVAILABLE', true));
    const retried = run(placed, checkout, authorised, booked, ...many);
    assert.equal(retried.state!.phase, 'capturing');
    assert.equal(retried.state!.due!.attempt, 8);
    assert.equal(backoffMs('capture', 20), 30_000, 'capped');
    const refused = run(placed, checkout, authorised, booked, failed('capture', 'PAY_PROVIDER_REJECTED', false));
    assert.deepEqual(commands(refused.decisions), ['ConfirmBooking', 'CancelBooking']);
    assert.equal(refused.state!.phase, 'voiding');
  });

  it('a cancelled booking is refunded, once captured', () => {
    const cancelled: SagaInput = { ...base, type: 'BookingCancelled', bookingId: 'B-r1', reason: null };
    const refund: CallOutcome = { step: 'refund', ok: true, refundId: 're_1', amountMinor: 9_000 };
    const after = run(placed, checkout, authorised, booked, { step: 'capture', ok: true }, cancelled, refund);
    assert.deepEqual(results(after.decisions).slice(-1), ['PaymentRefunded']);
    assert.equal(after.state!.phase, 'refunded');
    const racing = run(placed, checkout, authorised, booked, cancelled, { step: 'capture', ok: true });
    assert.deepEqual(racing.state!.due, { step: 'refund', at: T0 + 60, attempt: 0 });
  });

  it("refuses another buyer's checkout without touching the owner's", () => {
    const intruder: SagaInput = { ...checkout, buyerId: 'mallory', checkoutId: 'C2' };
    const { state, decisions } = run(placed, intruder, checkout);
    assert.deepEqual(decisions[1]!.outputs, [
      {
        checkoutId: 'C2',
        result: {
          type: 'CheckoutFailed',
          code: 'PAY_NOT_HOLD_OWNER',
          message: 'the hold belongs to another buyer',
          holdReleased: false,
        },
      },
    ]);
    assert.equal(state!.phase, 'authorising');
    assert.equal(state!.checkout!.checkoutId, 'C1');
  });

  it('a repeated checkout changes nothing; a checkout whose hold never shows up fails after the wait', () => {
    const repeat = run(placed, checkout, checkout);
    assert.deepEqual(repeat.decisions[2]!.outputs, []);
    const orphan = run(checkout);
    assert.equal(orphan.state!.due!.at, T0 + 10 + HOLD_WAIT_MS);
    const { decisions } = run(checkout, 'deadline');
    assert.equal((decisions[1]!.outputs[0]!.result as { code: string }).code, 'PAY_HOLD_NOT_FOUND');
  });

  it('forgets holds that end without a checkout', () => {
    assert.equal(run(placed, { ...base, type: 'HoldEnded', reason: 'RELEASED' }).state, null);
  });

  it('a webhook brings a waiting retry forward', () => {
    const waiting = run(placed, checkout, failed('authorise', 'PAY_PROVIDER_TIMEOUT', true));
    const hook: SagaInput = {
      ...base,
      type: 'ProviderNotified',
      provider: 'sandbox',
      providerEventId: 'evt',
      kind: 'authorised',
      paymentId: 'pay_1',
    };
    const d = onInput(waiting.state!, hook, T0 + 40);
    assert.equal(d.state!.due!.at, T0 + 40);
  });
});
