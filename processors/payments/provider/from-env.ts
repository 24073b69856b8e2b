/**
 * The payment providers SeatStream is configured with, from the environment (the one place that reads provider
 * settings; the payment saga and the API's webhook route both use it):
 *
 *   PAYMENTS_SANDBOX_URL              the sandbox provider service (infra/payment-sandbox); unset: no sandbox
 *   PAYMENTS_SANDBOX_API_KEY          its API key (default sk_sandbox_local, the sandbox's local default)
 *   PAYMENTS_SANDBOX_WEBHOOK_SECRET   its webhook secret (default whsec_sandbox_local)
 *   PAYMENTS_STRIPE_SECRET_KEY        Stripe secret key; unset: no Stripe
 *   PAYMENTS_STRIPE_WEBHOOK_SECRET    Stripe webhook endpoint secret
 *   PAYMENTS_STRIPE_URL               another Stripe API base (stripe-mock), default Stripe's
 *   PAYMENTS_PROVIDER_TIMEOUT_MS      per-call timeout (default 2000)
 *   PAYMENTS_BREAKER_RESET_MS         time a circuit stays open before a trial call (default 10000)
 *   PAYMENTS_BREAKER_VOLUME           calls in the window before the circuit may open (default 5)
 *
 * Every provider is wrapped in its circuit breaker.
 */
import { BreakingProvider } from './breaker.js';
import type { PaymentProvider } from './provider.js';
import { SandboxProvider } from './sandbox-provider.js';
import { StripeProvider } from './stripe-provider.js';

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got '${raw}')`);
  return n;
};

export function providersFromEnv(env: NodeJS.ProcessEnv = process.env): Map<string, BreakingProvider> {
  const timeoutMs = int(env, 'PAYMENTS_PROVIDER_TIMEOUT_MS', 2_000);
  const breaker = {
    resetTimeoutMs: int(env, 'PAYMENTS_BREAKER_RESET_MS', 10_000),
    volumeThreshold: int(env, 'PAYMENTS_BREAKER_VOLUME', 5),
  };
  const providers = new Map<string, BreakingProvider>();
  const add = (p: PaymentProvider) => providers.set(p.name, new BreakingProvider(p, breaker));
  if (env.PAYMENTS_SANDBOX_URL)
    add(
      new SandboxProvider({
        baseUrl: env.PAYMENTS_SANDBOX_URL,
        apiKey: env.PAYMENTS_SANDBOX_API_KEY || 'sk_sandbox_local',
        webhookSecret: env.PAYMENTS_SANDBOX_WEBHOOK_SECRET || 'whsec_sandbox_local',
        timeoutMs,
      }),
    );
  if (env.PAYMENTS_STRIPE_SECRET_KEY)
    add(
      new StripeProvider({
        secretKey: env.PAYMENTS_STRIPE_SECRET_KEY,
        webhookSecret: env.PAYMENTS_STRIPE_WEBHOOK_SECRET ?? '',
        timeoutMs,
        ...(env.PAYMENTS_STRIPE_URL ? { baseUrl: env.PAYMENTS_STRIPE_URL } : {}),
      }),
    );
  return providers;
}
