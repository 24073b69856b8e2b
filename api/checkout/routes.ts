/**
 * Checkout, payment webhooks and tickets:
 *
 *   POST /v1/holds/{holdId}/checkout      {paymentToken, provider?} → 200 the booking and its tickets | 202 pending | error
 *   GET  /v1/holds/{holdId}/checkout      the caller's checkout of that hold (the 202's status URL)
 *   POST /v1/payments/webhooks/{provider} a provider's signed webhook (raw body verified, then handed to the saga)
 *   GET  /v1/tickets/{ticketId}.png       the ticket's QR code as a PNG (owner only)
 *   GET  /v1/tickets/public-key           the Ed25519 public key scanners verify QR payloads with
 *
 * The API decides nothing: a checkout is a CheckoutRequested on payment.requests.v1 (key holdId) for the payment
 * saga; the answer is read from the checkout read model (PostgreSQL) as soon as the saga reached a verdict, within
 * `waitMs`, else 202 with the status URL. The checkout id is derived from (holdId, buyer), so a retried POST is the
 * same checkout. Only a provider token is accepted (`tok_…`, `pm_…`), never a card number.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { ApiContext } from '../context.js';
import { ApiError, type ErrorCode } from '../errors.js';
import { authErrors, bearerSecurity, responses } from '../http/schemas.js';
import { requestTraceparent } from '../http/tracing.js';
import type { PaymentProvider } from '../../processors/payments/provider/provider.js';
import type { PaymentRequestPublisher } from './publisher.js';

export interface CheckoutDeps {
  publisher: PaymentRequestPublisher;
  /** Providers by name, for webhook verification and to refuse an unknown provider at once. */
  providers: ReadonlyMap<string, PaymentProvider>;
  /** SPKI PEM of the ticket signing key (check-in verifies with it; scanners download it). */
  ticketPublicKeyPem: string;
  /** How long a checkout waits for the saga's verdict before answering 202 (default 10 s). */
  waitMs?: number;
}

export const checkoutIdFor = (holdId: string, buyerId: string): string =>
  `C-${createHash('sha256').update(`${holdId}\n${buyerId}`).digest('base64url').slice(0, 32)}`;

const failureCodes: Record<string, ErrorCode> = {
  PAY_DECLINED: 'SS_ERR_CHECKOUT_DECLINED',
  PAY_PROVIDER_REJECTED: 'SS_ERR_CHECKOUT_PAYMENT_REFUSED',
  PAY_PROVIDER_TIMEOUT: 'SS_ERR_CHECKOUT_PROVIDER_TIMEOUT',
  PAY_PROVIDER_UNAVAILABLE: 'SS_ERR_CHECKOUT_PROVIDER_UNAVAILABLE',
  PAY_CIRCUIT_OPEN: 'SS_ERR_CHECKOUT_CIRCUIT_OPEN',
  PAY_HOLD_EXPIRED: 'SS_ERR_CHECKOUT_HOLD_EXPIRED',
  PAY_HOLD_NOT_FOUND: 'SS_ERR_CHECKOUT_HOLD_NOT_FOUND',
  PAY_NOT_HOLD_OWNER: 'SS_ERR_CHECKOUT_HOLD_NOT_FOUND',
  PAY_BOOKING_REJECTED: 'SS_ERR_CHECKOUT_REJECTED',
  PAY_CAPTURE_FAILED: 'SS_ERR_CHECKOUT_CAPTURE_FAILED',
  PAY_UNKNOWN_PROVIDER: 'SS_ERR_CHECKOUT_UNKNOWN_PROVIDER',
};

const Ticket = {
  type: 'object',
  additionalProperties: false,
  required: ['ticketId', 'sectionId', 'qr', 'imageUrl', 'status'],
  properties: {
    ticketId: { type: 'string' },
    seatId: { type: ['string', 'null'] },
    sectionId: { type: 'string' },
    rowLabel: { type: ['string', 'null'] },
    seatLabel: { type: ['string', 'null'] },
    priceMinor: { type: 'integer' },
    qr: { type: 'string', description: 'The signed QR payload (SS1.<payload>.<Ed25519 signature>)' },
    imageUrl: { type: 'string' },
    status: { type: 'string', enum: ['VALID', 'CANCELLED'] },
  },
} as const;

const CheckoutView = {
  type: 'object',
  additionalProperties: false,
  required: ['checkoutId', 'holdId', 'status', 'statusUrl'],
  properties: {
    checkoutId: { type: 'string' },
    holdId: { type: 'string' },
    status: { type: 'string', enum: ['PENDING', 'COMPLETED', 'FAILED', 'REFUNDED'] },
    statusUrl: { type: 'string' },
    bookingId: { type: ['string', 'null'] },
    eventId: { type: 'string' },
    totalMinor: { type: ['integer', 'null'] },
    currency: { type: ['string', 'null'] },
    code: { type: ['string', 'null'] },
    message: { type: ['string', 'null'] },
    holdReleased: { type: ['boolean', 'null'] },
    tickets: { type: 'array', items: Ticket },
  },
} as const;

const HoldParams = {
  type: 'object',
  additionalProperties: false,
  required: ['holdId'],
  properties: { holdId: { type: 'string', pattern: '^[A-Za-z0-9:._-]{1,200}$' } },
} as const;

interface CheckoutRow {
  checkout_id: string;
  hold_id: string;
  event_id: string;
  status: 'PENDING' | 'COMPLETED' | 'FAILED' | 'REFUNDED';
  code: string | null;
  message: string | null;
  hold_released: boolean | null;
  booking_id: string | null;
  total_minor: string | null;
  currency: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function checkoutRoutes(app: FastifyInstance, opts: { ctx: ApiContext; checkout: CheckoutDeps }) {
  const { ctx, checkout } = opts;
  const waitMs = checkout.waitMs ?? 10_000;

  const readCheckout = async (checkoutId: string): Promise<CheckoutRow | null> =>
    (await ctx.pool.query<CheckoutRow>('SELECT * FROM checkouts WHERE checkout_id = $1', [checkoutId])).rows[0] ?? null;

  const view = async (row: CheckoutRow) => {
    const tickets = row.booking_id
      ? (
          await ctx.pool.query(
            `SELECT ticket_id, seat_id, section_id, row_label, seat_label, price_minor, qr, status
               FROM tickets WHERE booking_id = $1 ORDER BY ticket_id`,
            [row.booking_id],
          )
        ).rows.map((t: Record<string, string | null>) => ({
          ticketId: t.ticket_id!,
          seatId: t.seat_id,
          sectionId: t.section_id!,
          rowLabel: t.row_label,
          seatLabel: t.seat_label,
          priceMinor: Number(t.price_minor),
          qr: t.qr!,
          imageUrl: `/v1/tickets/${t.ticket_id}.png`,
          status: t.status!,
        }))
      : [];
    return {
      checkoutId: row.checkout_id,
      holdId: row.hold_id,
      status: row.status,
      statusUrl: `/v1/holds/${encodeURIComponent(row.hold_id)}/checkout`,
      bookingId: row.booking_id,
      eventId: row.event_id,
      totalMinor: row.total_minor === null ? null : Number(row.total_minor),
      currency: row.currency,
      code: row.code,
      message: row.message,
      holdReleased: row.hold_released,
      tickets,
    };
  };

  const failureOf = (row: CheckoutRow) =>
    new ApiError(failureCodes[row.code ?? ''] ?? 'SS_ERR_CHECKOUT_REJECTED', row.message ?? undefined);

  app.register(async (scope) => {
    scope.addHook('preHandler', app.authenticate);

    scope.post<{ Params: { holdId: string }; Body: { paymentToken: string; provider?: string } }>(
      '/v1/holds/:holdId/checkout',
      {
        schema: {
          tags: ['checkout'],
          summary: 'Pay for a hold with a provider token: the booking and its tickets, or why not',
          security: bearerSecurity,
          params: HoldParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['paymentToken'],
            properties: {
              paymentToken: {
                type: 'string',
                pattern: '^(tok|pm)_[A-Za-z0-9_]{1,200}$',
                description: "The provider's token for the card (tok_… or pm_…); never a card number",
              },
              provider: { type: 'string', enum: ['sandbox', 'stripe'], default: 'sandbox' },
            },
          },
          response: responses({ 200: CheckoutView, 202: CheckoutView }, [...authErrors, 402, 404, 409, 422, 504]),
        },
      },
      async (req, reply) => {
        const buyerId = req.principal!.sub;
        const provider = req.body.provider ?? 'sandbox';
        if (!checkout.providers.has(provider)) throw new ApiError('SS_ERR_CHECKOUT_UNKNOWN_PROVIDER');
        const { holdId } = req.params;
        const checkoutId = checkoutIdFor(holdId, buyerId);
        let row = await readCheckout(checkoutId);
        if (!row) {
          const locale = (
            await ctx.pool.query<{ locale: string }>('SELECT locale FROM users WHERE id::text = $1', [buyerId])
          ).rows[0]?.locale;
          await checkout.publisher.publish(
            {
              type: 'CheckoutRequested',
              holdId,
              eventId: '',
              buyerId,
              at: ctx.now().getTime(),
              checkoutId,
              token: req.body.paymentToken,
              provider,
              locale: locale ?? null,
            },
            requestTraceparent(req),
          );
        }
        const deadline = Date.now() + waitMs;
        while ((!row || row.status === 'PENDING') && Date.now() < deadline) {
          await sleep(100);
          row = await readCheckout(checkoutId);
        }
        if (!row || row.status === 'PENDING') {
          const statusUrl = `/v1/holds/${encodeURIComponent(holdId)}/checkout`;
          return reply
            .code(202)
            .header('location', statusUrl)
            .send({ checkoutId, holdId, status: 'PENDING', statusUrl, tickets: [] });
        }
        if (row.status === 'FAILED') throw failureOf(row);
        return reply.send(await view(row));
      },
    );

    scope.get<{ Params: { holdId: string } }>(
      '/v1/holds/:holdId/checkout',
      {
        schema: {
          tags: ['checkout'],
          summary: "The caller's checkout of a hold",
          security: bearerSecurity,
          params: HoldParams,
          response: responses({ 200: CheckoutView }, [...authErrors, 404]),
        },
      },
      async (req) => {
        const row = await readCheckout(checkoutIdFor(req.params.holdId, req.principal!.sub));
        if (!row) throw new ApiError('SS_ERR_CHECKOUT_NOT_FOUND');
        return view(row);
      },
    );

    scope.get<{ Params: { ticketId: string } }>(
      '/v1/tickets/:ticketId.png',
      {
        schema: {
          tags: ['tickets'],
          summary: "A ticket's QR code as a PNG image",
          security: bearerSecurity,
          params: {
            type: 'object',
            additionalProperties: false,
            required: ['ticketId'],
            properties: { ticketId: { type: 'string', pattern: '^T-[A-Za-z0-9_-]{1,64}$' } },
          },
          response: responses({ 200: { type: 'string', format: 'binary' } }, [...authErrors, 404]),
        },
      },
      async (req, reply) => {
        const t = (
          await ctx.pool.query<{ qr: string }>('SELECT qr FROM tickets WHERE ticket_id = $1 AND buyer_id = $2', [
            req.params.ticketId,
            req.principal!.sub,
          ])
        ).rows[0];
        if (!t) throw new ApiError('SS_ERR_TICKET_NOT_FOUND');
        const png = await QRCode.toBuffer(t.qr, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
        return reply
          .type('image/png')
          .header('content-disposition', `attachment; filename="${req.params.ticketId}.png"`)
          .send(png);
      },
    );
  });

  app.get(
    '/v1/tickets/public-key',
    {
      schema: {
        tags: ['tickets'],
        summary: 'The Ed25519 public key (SPKI PEM) that verifies ticket QR payloads offline',
        response: responses({
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['algorithm', 'publicKeyPem'],
            properties: { algorithm: { type: 'string' }, publicKeyPem: { type: 'string' } },
          },
        }),
      },
    },
    async () => ({ algorithm: 'Ed25519', publicKeyPem: checkout.ticketPublicKeyPem }),
  );

  // Webhooks: the signature covers the raw bytes, so this scope keeps JSON bodies as a Buffer.
  app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { provider: string }; Body: Buffer }>(
      '/v1/payments/webhooks/:provider',
      {
        schema: {
          tags: ['checkout'],
          summary: "A payment provider's signed webhook",
          params: {
            type: 'object',
            additionalProperties: false,
            required: ['provider'],
            properties: { provider: { type: 'string', enum: ['sandbox', 'stripe'] } },
          },
          response: responses(
            {
              200: {
                type: 'object',
                additionalProperties: false,
                required: ['received'],
                properties: { received: { type: 'boolean' } },
              },
            },
            [404],
          ),
        },
      },
      async (req) => {
        const provider = checkout.providers.get(req.params.provider);
        if (!provider) throw new ApiError('SS_ERR_CHECKOUT_UNKNOWN_PROVIDER');
        if (!Buffer.isBuffer(req.body)) throw new ApiError('SS_ERR_PAYMENT_WEBHOOK_SIGNATURE');
        let event;
        try {
          event = provider.verifyWebhook(req.body, req.headers);
        } catch {
          throw new ApiError('SS_ERR_PAYMENT_WEBHOOK_SIGNATURE');
        }
        if (event.reference)
          await checkout.publisher.publish({
            type: 'ProviderNotified',
            holdId: event.reference,
            eventId: '',
            buyerId: '',
            at: ctx.now().getTime(),
            provider: provider.name,
            providerEventId: event.id,
            kind: event.type,
            paymentId: event.paymentId,
          });
        return { received: true };
      },
    );
  });
}
