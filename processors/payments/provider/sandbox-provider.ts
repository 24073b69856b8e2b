/**
 * The PaymentProvider of the sandbox service (infra/payment-sandbox): plain HTTP with an API key, an
 * Idempotency-Key on every call and a per-call timeout. Its answers map to ProviderErrors: 402 → PAY_DECLINED,
 * 5xx / network / timeout → retriable, other 4xx → PAY_PROVIDER_REJECTED.
 */
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
import { SANDBOX_SIGNATURE_HEADER, checkSignature } from './webhook-signature.js';

export interface SandboxProviderOptions {
  baseUrl: string;
  apiKey: string;
  webhookSecret: string;
  /** Per-call timeout (default 2 s). */
  timeoutMs?: number;
  now?: () => number;
}

const webhookTypes: Record<string, ProviderWebhookEvent['type']> = {
  'payment.authorised': 'authorised',
  'payment.declined': 'declined',
  'payment.captured': 'captured',
  'payment.voided': 'voided',
  'payment.refunded': 'refunded',
};

export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  constructor(private readonly options: SandboxProviderOptions) {}

  async authorise(r: AuthoriseRequest): Promise<Authorisation> {
    const body = await this.post('/v1/payments', r.idempotencyKey, {
      token: r.token,
      amountMinor: r.amountMinor,
      currency: r.currency,
      reference: r.reference,
    });
    return { paymentId: String(body.id), amountMinor: Number(body.amountMinor), currency: String(body.currency) };
  }

  async capture(r: CaptureRequest): Promise<void> {
    await this.post(`/v1/payments/${encodeURIComponent(r.paymentId)}/capture`, r.idempotencyKey, {
      amountMinor: r.amountMinor,
    });
  }

  async void(r: VoidRequest): Promise<void> {
    await this.post(`/v1/payments/${encodeURIComponent(r.paymentId)}/void`, r.idempotencyKey, {});
  }

  async refund(r: RefundRequest): Promise<Refund> {
    const body = await this.post(`/v1/payments/${encodeURIComponent(r.paymentId)}/refunds`, r.idempotencyKey, {
      amountMinor: r.amountMinor,
    });
    return { refundId: String(body.refundId), amountMinor: Number(body.amountMinor) };
  }

  verifyWebhook(
    rawBody: Buffer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): ProviderWebhookEvent {
    const nowSec = Math.floor((this.options.now ?? Date.now)() / 1000);
    const problem = checkSignature(
      this.options.webhookSecret,
      rawBody,
      headerValue(headers, SANDBOX_SIGNATURE_HEADER),
      nowSec,
    );
    if (problem) throw new ProviderError('PAY_WEBHOOK_SIGNATURE', `webhook signature ${problem}`);
    let event: { id?: unknown; type?: unknown; data?: { paymentId?: unknown; reference?: unknown } };
    try {
      event = JSON.parse(rawBody.toString('utf8')) as typeof event;
    } catch {
      throw new ProviderError('PAY_WEBHOOK_SIGNATURE', 'signed webhook body is not JSON');
    }
    const providerType = String(event.type);
    return {
      id: String(event.id),
      type: webhookTypes[providerType] ?? 'other',
      paymentId: typeof event.data?.paymentId === 'string' ? event.data.paymentId : null,
      reference: typeof event.data?.reference === 'string' ? event.data.reference : null,
      providerType,
    };
  }

  private async post(path: string, idempotencyKey: string, payload: object): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.options.baseUrl), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 2_000),
      });
    } catch (err) {
      const name = err instanceof Error ? err.name : '';
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new ProviderError('PAY_PROVIDER_TIMEOUT', `sandbox did not answer ${path} in time`);
      throw new ProviderError('PAY_PROVIDER_UNAVAILABLE', `sandbox unreachable: ${String(err)}`);
    }
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      /* a non-JSON answer: judged by its status below */
    }
    if (res.ok) return body;
    const error = (body.error ?? {}) as { code?: string; message?: string };
    const message = `${path}: ${res.status} ${error.code ?? ''} ${error.message ?? ''}`.trim();
    if (res.status === 402) throw new ProviderError('PAY_DECLINED', message, error.code ?? 'declined');
    if (res.status >= 500 || res.status === 429)
      throw new ProviderError('PAY_PROVIDER_UNAVAILABLE', message, error.code ?? null);
    throw new ProviderError('PAY_PROVIDER_REJECTED', message, error.code ?? null);
  }
}
