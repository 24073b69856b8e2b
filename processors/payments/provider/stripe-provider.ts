/**
 * The PaymentProvider on Stripe, through the official `stripe` SDK. A payment is a PaymentIntent with manual capture:
 * authorise = create and confirm it with the buyer's PaymentMethod (the token Stripe.js gave the browser, e.g.
 * `pm_…`), capture = capture it, void = cancel it, refund = a Refund on it. Every call passes the step's
 * idempotency key as Stripe's `Idempotency-Key`; the SDK's own network retries are off (the saga retries, with the
 * same key). Webhooks are verified by the SDK (`Stripe-Signature`, 5-minute tolerance).
 *
 * Errors: a card error or a PaymentIntent that did not reach `requires_capture` → PAY_DECLINED; connection
 * errors, 5xx and rate limits → retriable; other refusals (invalid request, authentication) → PAY_PROVIDER_REJECTED.
 */
import Stripe from 'stripe';
import {
  ProviderError,
  headerValue,
  type Authorisation,
  type AuthoriseRequest,
  type CaptureRequest,
  type PaymentProvider,
  type ProviderWebhookEvent,
  type Refund,
  type RefundRequest,
  type VoidRequest,
} from './provider.js';

export interface StripeProviderOptions {
  secretKey: string;
  webhookSecret: string;
  /** Per-call timeout (default 5 s). */
  timeoutMs?: number;
  /** Another API host (stripe-mock in tests): `http://127.0.0.1:12111`. */
  baseUrl?: string;
}

const webhookTypes: Record<string, ProviderWebhookEvent['type']> = {
  'payment_intent.amount_capturable_updated': 'authorised',
  'payment_intent.payment_failed': 'declined',
  'payment_intent.succeeded': 'captured',
  'payment_intent.canceled': 'voided',
  'charge.refunded': 'refunded',
};

/** How the SDK's errors map to ours (by `type`, which the SDK sets on every error it raises). */
export function providerErrorFromStripe(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { type?: string; message?: string; code?: string; statusCode?: number };
  const message = `stripe: ${e.message ?? String(err)}`;
  const code = e.code ?? null;
  switch (e.type) {
    case 'StripeCardError':
      return new ProviderError('PAY_DECLINED', message, code ?? 'card_declined');
    case 'StripeConnectionError':
      return new ProviderError('PAY_PROVIDER_TIMEOUT', message, code);
    case 'StripeAPIError':
    case 'StripeRateLimitError':
      return new ProviderError('PAY_PROVIDER_UNAVAILABLE', message, code);
    case 'StripeInvalidRequestError':
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
    case 'StripeIdempotencyError':
      return (e.statusCode ?? 400) >= 500
        ? new ProviderError('PAY_PROVIDER_UNAVAILABLE', message, code)
        : new ProviderError('PAY_PROVIDER_REJECTED', message, code);
    default:
      return new ProviderError('PAY_PROVIDER_UNAVAILABLE', message, code);
  }
}

export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe';
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeProviderOptions) {
    const base = options.baseUrl ? new URL(options.baseUrl) : undefined;
    this.stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: 0,
      timeout: options.timeoutMs ?? 5_000,
      ...(base
        ? {
            host: base.hostname,
            port: base.port || (base.protocol === 'https:' ? 443 : 80),
            protocol: base.protocol === 'https:' ? 'https' : 'http',
          }
        : {}),
    });
  }

  async authorise(r: AuthoriseRequest): Promise<Authorisation> {
    const intent = await this.guard(() =>
      this.stripe.paymentIntents.create(
        {
          amount: r.amountMinor,
          currency: r.currency.toLowerCase(),
          payment_method: r.token,
          capture_method: 'manual',
          confirm: true,
          // No redirect-based methods: the checkout answers at once, or it is declined.
          automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
          description: `SeatStream hold ${r.reference}`,
          metadata: { holdId: r.reference },
        },
        { idempotencyKey: r.idempotencyKey },
      ),
    );
    if (intent.status !== 'requires_capture' && intent.status !== 'succeeded')
      throw new ProviderError('PAY_DECLINED', `stripe: payment intent ${intent.id} is ${intent.status}`, intent.status);
    return { paymentId: intent.id, amountMinor: intent.amount, currency: intent.currency.toUpperCase() };
  }

  async capture(r: CaptureRequest): Promise<void> {
    await this.guard(() =>
      this.stripe.paymentIntents.capture(
        r.paymentId,
        { amount_to_capture: r.amountMinor },
        { idempotencyKey: r.idempotencyKey },
      ),
    );
  }

  async void(r: VoidRequest): Promise<void> {
    await this.guard(() =>
      this.stripe.paymentIntents.cancel(
        r.paymentId,
        { cancellation_reason: 'abandoned' },
        { idempotencyKey: r.idempotencyKey },
      ),
    );
  }

  async refund(r: RefundRequest): Promise<Refund> {
    const refund = await this.guard(() =>
      this.stripe.refunds.create(
        { payment_intent: r.paymentId, amount: r.amountMinor, reason: 'requested_by_customer' },
        { idempotencyKey: r.idempotencyKey },
      ),
    );
    return { refundId: refund.id, amountMinor: refund.amount };
  }

  verifyWebhook(
    rawBody: Buffer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): ProviderWebhookEvent {
    const signature = headerValue(headers, 'stripe-signature');
    if (!signature) throw new ProviderError('PAY_WEBHOOK_SIGNATURE', 'stripe: no Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.options.webhookSecret);
    } catch (err) {
      throw new ProviderError('PAY_WEBHOOK_SIGNATURE', `stripe: ${err instanceof Error ? err.message : String(err)}`);
    }
    const object = event.data.object as {
      id?: string;
      object?: string;
      payment_intent?: unknown;
      metadata?: Record<string, string>;
    };
    const paymentId =
      object.object === 'payment_intent'
        ? (object.id ?? null)
        : typeof object.payment_intent === 'string'
          ? object.payment_intent
          : null;
    return {
      id: event.id,
      type: webhookTypes[event.type] ?? 'other',
      paymentId,
      reference: object.metadata?.holdId ?? null,
      providerType: event.type,
    };
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw providerErrorFromStripe(err);
    }
  }
}
