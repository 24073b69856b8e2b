/**
 * The payment-provider boundary: what the payment saga needs of a provider (authorise, capture, void, refund,
 * webhook verification), whatever the provider. Card data never enters SeatStream: the buyer's browser hands a card
 * to the provider's own page or SDK and SeatStream only ever sees the provider's token for it.
 *
 * Every call carries an idempotency key. The saga derives it from the hold and the step (`idempotencyKeyFor`), so a
 * call repeated after a crash, a timeout or a retry is the same request to the provider, which answers it once: a
 * retried capture never charges twice.
 *
 * Failures are `ProviderError`s with a stable code; `retriable` tells a transient failure (timeout, 5xx, network,
 * open circuit) from a final answer (declined, refused request).
 */

export type PaymentStep = 'authorise' | 'capture' | 'void' | 'refund';

export interface AuthoriseRequest {
  idempotencyKey: string;
  /** The provider's token for the buyer's card (never a card number). */
  token: string;
  amountMinor: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** What the payment is for (the hold id): shown at the provider, echoed in webhooks. */
  reference: string;
}

export interface Authorisation {
  /** The provider's id of the authorised payment (a Stripe PaymentIntent id, a sandbox payment id). */
  paymentId: string;
  amountMinor: number;
  currency: string;
}

export interface CaptureRequest {
  idempotencyKey: string;
  paymentId: string;
  amountMinor: number;
}

export interface VoidRequest {
  idempotencyKey: string;
  paymentId: string;
}

export interface RefundRequest {
  idempotencyKey: string;
  paymentId: string;
  amountMinor: number;
}

export interface Refund {
  refundId: string;
  amountMinor: number;
}

/** A webhook whose signature was verified. */
export interface ProviderWebhookEvent {
  /** The provider's event id (deliveries of one event share it). */
  id: string;
  /** Provider-neutral kind. */
  type: 'authorised' | 'declined' | 'captured' | 'voided' | 'refunded' | 'other';
  paymentId: string | null;
  /** The reference given at authorisation (the hold id), when the provider echoes it. */
  reference: string | null;
  /** The provider's own event type, for the audit log. */
  providerType: string;
}

export interface PaymentProvider {
  /** Short name, e.g. 'sandbox' or 'stripe'. */
  readonly name: string;
  /** @throws ProviderError: PAY_DECLINED (final), PAY_PROVIDER_TIMEOUT / PAY_PROVIDER_UNAVAILABLE (retriable). */
  authorise(request: AuthoriseRequest): Promise<Authorisation>;
  /** Captures an authorisation; capturing one already captured with the same key answers the same capture. */
  capture(request: CaptureRequest): Promise<void>;
  /** Cancels an uncaptured authorisation. */
  void(request: VoidRequest): Promise<void>;
  refund(request: RefundRequest): Promise<Refund>;
  /**
   * Checks a webhook's signature over its raw body and parses it.
   * @throws ProviderError PAY_WEBHOOK_SIGNATURE when the signature is missing, wrong or too old.
   */
  verifyWebhook(
    rawBody: Buffer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): ProviderWebhookEvent;
}

export type ProviderErrorCode =
  | 'PAY_DECLINED'
  | 'PAY_PROVIDER_TIMEOUT'
  | 'PAY_PROVIDER_UNAVAILABLE'
  | 'PAY_PROVIDER_REJECTED'
  | 'PAY_CIRCUIT_OPEN'
  | 'PAY_WEBHOOK_SIGNATURE';

const retriableCodes: ReadonlySet<ProviderErrorCode> = new Set([
  'PAY_PROVIDER_TIMEOUT',
  'PAY_PROVIDER_UNAVAILABLE',
  'PAY_CIRCUIT_OPEN',
]);

export class ProviderError extends Error {
  readonly retriable: boolean;
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    /** The provider's own decline or error code (e.g. 'card_declined'), when it gave one. */
    readonly providerCode: string | null = null,
  ) {
    super(message);
    this.name = code;
    this.retriable = retriableCodes.has(code);
  }
}

/** Any error as a ProviderError: unknown failures are treated as the provider being unavailable (retriable). */
export const asProviderError = (err: unknown): ProviderError =>
  err instanceof ProviderError
    ? err
    : new ProviderError('PAY_PROVIDER_UNAVAILABLE', err instanceof Error ? err.message : String(err));

/** The idempotency key of one step of one hold's payment: the same for every retry of that step, forever. */
export const idempotencyKeyFor = (holdId: string, step: PaymentStep): string => `seatstream:${holdId}:${step}`;

/** A header's single value (the first when repeated). */
export const headerValue = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};
