/**
 * The checkout area as one plugin for `buildApp`: checkout, webhooks and tickets (routes.ts), check-in
 * (../checkin/routes.ts). `createCheckoutDeps()` builds what it needs from the environment (providers:
 * processors/payments/provider/from-env.ts, ticket keys: processors/tickets/signing.ts).
 */
import type { FastifyInstance } from 'fastify';
import { providersFromEnv } from '../../processors/payments/provider/from-env.js';
import { loadTicketKeys } from '../../processors/tickets/signing.js';
import { checkinRoutes } from '../checkin/routes.js';
import type { ApiContext } from '../context.js';
import { checkoutRoutes, type CheckoutDeps } from './routes.js';
import { createPaymentRequestPublisher } from './publisher.js';

export type { CheckoutDeps } from './routes.js';

export async function checkoutPlugin(app: FastifyInstance, opts: { ctx: ApiContext; checkout: CheckoutDeps }) {
  await app.register(checkoutRoutes, opts);
  await app.register(checkinRoutes, { ctx: opts.ctx, ticketPublicKeyPem: opts.checkout.ticketPublicKeyPem });
  app.addHook('onClose', async () => opts.checkout.publisher.close());
}

export function createCheckoutDeps(env: NodeJS.ProcessEnv = process.env): CheckoutDeps {
  return {
    publisher: createPaymentRequestPublisher(),
    providers: providersFromEnv(env),
    ticketPublicKeyPem: loadTicketKeys(env).publicKeyPem,
    ...(env.API_CHECKOUT_WAIT_MS ? { waitMs: Number(env.API_CHECKOUT_WAIT_MS) } : {}),
  };
}
