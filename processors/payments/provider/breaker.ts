/**
 * A circuit breaker (opossum) around a PaymentProvider: when the provider keeps failing (timeouts, 5xx), the circuit
 * opens and calls fail at once with PAY_CIRCUIT_OPEN instead of each waiting for a timeout; after `resetTimeoutMs`
 * one trial call is let through (half-open) and its outcome closes or re-opens the circuit. Final answers (a decline,
 * a refused request) are the provider working: they do not count as failures. Webhook verification is local and
 * never goes through the breaker.
 */
import CircuitBreaker from 'opossum';
import {
  ProviderError,
  asProviderError,
  type Authorisation,
  type AuthoriseRequest,
  type CaptureRequest,
  type PaymentProvider,
  type ProviderWebhookEvent,
  type Refund,
  type RefundRequest,
  type VoidRequest,
} from './provider.js';

export interface BreakerOptions {
  /** Failure percentage over the rolling window that opens the circuit (default 50). */
  errorThresholdPercentage?: number;
  /** Calls in the window before the percentage is judged (default 5). */
  volumeThreshold?: number;
  /** Time open before a trial call (default 10 s). */
  resetTimeoutMs?: number;
  /** Rolling window (default 10 s). */
  rollingCountTimeoutMs?: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export class BreakingProvider implements PaymentProvider {
  readonly name: string;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(
    private readonly inner: PaymentProvider,
    options: BreakerOptions = {},
  ) {
    this.name = inner.name;
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      name: `payment-provider-${inner.name}`,
      timeout: false, // the provider client has its own timeout, which is a retriable ProviderError
      errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
      volumeThreshold: options.volumeThreshold ?? 5,
      resetTimeout: options.resetTimeoutMs ?? 10_000,
      rollingCountTimeout: options.rollingCountTimeoutMs ?? 10_000,
      // A decline or a refused request means the provider is up: not a failure of the circuit.
      errorFilter: (err: unknown) => err instanceof ProviderError && !err.retriable,
    });
  }

  get state(): CircuitState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  /** Calls `listener` on every change of state (metrics, logs). */
  onStateChange(listener: (state: CircuitState) => void): void {
    this.breaker.on('open', () => listener('open'));
    this.breaker.on('halfOpen', () => listener('half-open'));
    this.breaker.on('close', () => listener('closed'));
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  authorise(r: AuthoriseRequest): Promise<Authorisation> {
    return this.call(() => this.inner.authorise(r));
  }
  capture(r: CaptureRequest): Promise<void> {
    return this.call(() => this.inner.capture(r));
  }
  void(r: VoidRequest): Promise<void> {
    return this.call(() => this.inner.void(r));
  }
  refund(r: RefundRequest): Promise<Refund> {
    return this.call(() => this.inner.refund(r));
  }
  verifyWebhook(
    rawBody: Buffer,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): ProviderWebhookEvent {
    return this.inner.verifyWebhook(rawBody, headers);
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(fn)) as T;
    } catch (err) {
      if ((err as { code?: string } | null)?.code === 'EOPENBREAKER')
        throw new ProviderError('PAY_CIRCUIT_OPEN', `the circuit to ${this.name} is open: failing fast`);
      throw asProviderError(err);
    }
  }
}
