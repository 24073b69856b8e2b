/**
 * The Stripe adapter against stripe-mock, Stripe's own server that validates requests against Stripe's OpenAPI
 * specification and answers its fixtures. A recording proxy between the two keeps what the adapter sent (method,
 * path, Idempotency-Key, form fields) and passes stripe-mock's answers back unchanged.
 *
 * stripe-mock is stateless: its PaymentIntent fixture is always `requires_payment_method`, so an authorisation
 * through it is (rightly) read as not authorised; capture, cancel and refund answer their fixtures.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { StripeMock } from '../testing/stripe-mock.js';
import { ProviderError, idempotencyKeyFor } from './provider.js';
import { StripeProvider, providerErrorFromStripe } from './stripe-provider.js';

interface Sent {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  form: URLSearchParams;
}

describe('Stripe adapter against stripe-mock', () => {
  let mock: StripeMock;
  let proxy: Server;
  let provider: StripeProvider;
  const sent: Sent[] = [];
  const webhookSecret = 'whsec_test_seatstream';

  before(async () => {
    mock = await StripeMock.start();
    const target = new URL(mock.baseUrl);
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        sent.push({
          method: req.method!,
          path: req.url!,
          idempotencyKey: req.headers['idempotency-key'] as string | undefined,
          form: new URLSearchParams(body.toString('utf8')),
        });
        const upstream = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode!, up.headers);
            up.pipe(res);
          },
        );
        upstream.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    provider = new StripeProvider({
      secretKey: 'sk_test_seatstream',
      webhookSecret,
      baseUrl: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    });
  });
  after(async () => {
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
    await mock?.stop();
  });

  it('authorises with a manual-capture PaymentIntent confirmed with the token, under the idempotency key', async () => {
    const key = idempotencyKeyFor('H-stripe-1', 'authorise');
    await assert.rejects(
      provider.authorise({
        idempotencyKey: key,
        token: 'pm_card_visa',
        amountMinor: 15_000,
        currency: 'MAD',
        reference: 'H-stripe-1',
      }),
      (err: unknown) =>
        err instanceof ProviderError && err.code === 'PAY_DECLINED' && err.providerCode === 'requires_payment_method',
    );
    const req = sent.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v1/payment_intents');
    assert.equal(req.idempotencyKey, key);
    assert.equal(req.form.get('amount'), '15000');
    assert.equal(req.form.get('currency'), 'mad');
    assert.equal(req.form.get('payment_method'), 'pm_card_visa');
    assert.equal(req.form.get('capture_method'), 'manual');
    assert.equal(req.form.get('confirm'), 'true');
    assert.equal(req.form.get('metadata[holdId]'), 'H-stripe-1');
    assert.equal(
      [...req.form.keys()].some((k) => /card\[|number|cvc/.test(k)),
      false,
      'no card data is sent',
    );
  });

  it('captures, voids and refunds with their own keys; stripe-mock accepts every request', async () => {
    await provider.capture({
      idempotencyKey: idempotencyKeyFor('H-stripe-2', 'capture'),
      paymentId: 'pi_123',
      amountMinor: 15_000,
    });
    assert.deepEqual(
      { path: sent.at(-1)!.path, key: sent.at(-1)!.idempotencyKey, amount: sent.at(-1)!.form.get('amount_to_capture') },
      { path: '/v1/payment_intents/pi_123/capture', key: 'seatstream:H-stripe-2:capture', amount: '15000' },
    );
    await provider.void({ idempotencyKey: idempotencyKeyFor('H-stripe-2', 'void'), paymentId: 'pi_123' });
    assert.equal(sent.at(-1)!.path, '/v1/payment_intents/pi_123/cancel');
    assert.equal(sent.at(-1)!.idempotencyKey, 'seatstream:H-stripe-2:void');
    const refund = await provider.refund({
      idempotencyKey: idempotencyKeyFor('H-stripe-2', 'refund'),
      paymentId: 'pi_123',
      amountMinor: 500,
    });
    assert.match(refund.refundId, /^re_/);
    assert.equal(sent.at(-1)!.path, '/v1/refunds');
    assert.equal(sent.at(-1)!.form.get('payment_intent'), 'pi_123');
    assert.equal(sent.at(-1)!.form.get('amount'), '500');
  });

  it('refuses an unknown PaymentIntent parameter the way Stripe does (stripe-mock validates against the spec)', async () => {
    const stripe = new Stripe('sk_test_seatstream', {
      host: new URL(mock.baseUrl).hostname,
      port: new URL(mock.baseUrl).port,
      protocol: 'http',
    });
    const err = await stripe.paymentIntents
      .create({ amount: 100, currency: 'eur', not_a_parameter: 'x' } as unknown as Stripe.PaymentIntentCreateParams)
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.equal(providerErrorFromStripe(err).code, 'PAY_PROVIDER_REJECTED');
  });

  it('verifies webhooks signed the way Stripe signs them and refuses tampered ones', () => {
    const stripe = new Stripe('sk_test_seatstream');
    const payload = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'payment_intent.succeeded',
      data: { object: { id: 'pi_9', object: 'payment_intent', metadata: { holdId: 'H-9' } } },
    });
    const header = stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
    const event = provider.verifyWebhook(Buffer.from(payload), { 'stripe-signature': header });
    assert.deepEqual(event, {
      id: 'evt_1',
      type: 'captured',
      paymentId: 'pi_9',
      reference: 'H-9',
      providerType: 'payment_intent.succeeded',
    });
    assert.throws(
      () => provider.verifyWebhook(Buffer.from(payload.replace('H-9', 'H-8')), { 'stripe-signature': header }),
      (e: unknown) => (e as ProviderError).code === 'PAY_WEBHOOK_SIGNATURE',
    );
  });

  it('maps the SDK errors: card errors are declines, connection and API errors are retriable', () => {
    const card = new Stripe.errors.StripeCardError({ type: 'card_error', message: 'declined', code: 'card_declined' });
    assert.equal(providerErrorFromStripe(card).code, 'PAY_DECLINED');
    const conn = new Stripe.errors.StripeConnectionError({ type: 'api_error', message: 'socket hang up' });
    assert.equal(providerErrorFromStripe(conn).retriable, true);
    const api = new Stripe.errors.StripeAPIError({ type: 'api_error', message: 'boom' });
    assert.equal(providerErrorFromStripe(api).code, 'PAY_PROVIDER_UNAVAILABLE');
  });
});
