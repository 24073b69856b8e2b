/** Saga values through the real Avro schemas (encode, decode) and back to the domain, unchanged. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readAvsc } from '../../schemas/avsc.js';
import { commandToAvro, requestFromAvro, requestToAvro, resultFromAvro, resultToAvro } from './codec.js';
import type { SagaInput, SagaResult } from './model.js';

const roundTrip = <T>(file: string, value: T): T => {
  const { type } = readAvsc(file);
  return type.fromBuffer(type.toBuffer(value)) as T;
};

const base = { holdId: 'H-1', eventId: 'E-1', buyerId: 'u-1', at: 1_800_000_000_000 };
const seat = {
  seatId: 'A-1-1',
  sectionId: 'A',
  rowLabel: '1',
  seatLabel: '1',
  priceCategoryId: 'CAT1',
  priceMinor: 4_500,
};
const inputs: SagaInput[] = [
  { ...base, type: 'CheckoutRequested', checkoutId: 'C-1', token: 'tok_success', provider: 'sandbox', locale: 'ar' },
  { ...base, type: 'HoldPlaced', totalMinor: 9_000, currency: 'MAD', expiresAt: base.at + 1, tickets: 2 },
  {
    ...base,
    type: 'HoldBooked',
    bookingId: 'B-1',
    paymentReference: 'pay_1',
    seats: [seat],
    generalAdmission: { sectionId: 'PIT', quantity: 2, priceCategoryId: 'ST', unitPriceMinor: 100 },
    totalMinor: 4_700,
    currency: 'MAD',
  },
  { ...base, type: 'ConfirmationRejected', code: 'RSV_HOLD_EXPIRED', message: 'expired' },
  { ...base, type: 'HoldEnded', reason: 'RELEASED' },
  { ...base, type: 'BookingCancelled', bookingId: 'B-1', reason: null },
  {
    ...base,
    type: 'ProviderNotified',
    provider: 'stripe',
    providerEventId: 'evt_1',
    kind: 'captured',
    paymentId: 'pi_1',
  },
];
const results: SagaResult[] = [
  { type: 'PaymentAuthorised', provider: 'sandbox', paymentId: 'pay_1', amountMinor: 9_000, currency: 'MAD' },
  {
    type: 'PaymentAttemptFailed',
    step: 'capture',
    code: 'PAY_PROVIDER_TIMEOUT',
    message: 'slow',
    attempt: 2,
    nextAttemptAt: base.at,
  },
  { type: 'PaymentCaptured', paymentId: 'pay_1', amountMinor: 9_000, currency: 'MAD' },
  { type: 'PaymentVoided', paymentId: 'pay_1' },
  {
    type: 'PaymentRefunded',
    paymentId: 'pay_1',
    refundId: 're_1',
    amountMinor: 9_000,
    currency: 'MAD',
    bookingId: 'B-1',
  },
  {
    type: 'CheckoutCompleted',
    bookingId: 'B-1',
    paymentId: 'pay_1',
    totalMinor: 4_500,
    currency: 'MAD',
    seats: [seat],
    generalAdmission: null,
  },
  { type: 'CheckoutFailed', code: 'PAY_DECLINED', message: 'declined', holdReleased: true },
];

describe('payment codec', () => {
  for (const input of inputs)
    it(`${input.type} survives payment-request.avsc`, () => {
      assert.deepEqual(
        requestFromAvro(roundTrip('payment-request.avsc', requestToAvro(input, '00-abc-def-01'))),
        input,
      );
    });
  for (const result of results)
    it(`${result.type} survives payment-result.avsc`, () => {
      const envelope = {
        holdId: 'H-1',
        eventId: 'E-1',
        buyerId: 'u-1',
        checkoutId: 'C-1',
        seq: 3,
        locale: 'fr',
        occurredAt: base.at,
      };
      assert.deepEqual(resultFromAvro(roundTrip('payment-result.avsc', resultToAvro(envelope, result))), {
        ...envelope,
        result,
      });
    });
  it('commands to the seat allocator are valid reservation commands', () => {
    const c = commandToAvro(
      {
        type: 'ConfirmBooking',
        requestId: 'pay:H-1:confirm',
        eventId: 'E-1',
        buyerId: 'u-1',
        holdId: 'H-1',
        paymentReference: 'pay_1',
      },
      base.at,
    );
    assert.deepEqual(
      JSON.parse(JSON.stringify(roundTrip('reservation-command.avsc', c))),
      JSON.parse(JSON.stringify(c)),
    );
  });
});
