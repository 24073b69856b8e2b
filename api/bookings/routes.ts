/**
 * Booking routes: hold seats, release a hold, cancel a booking, and the status of a request. Each produces a
 * command and answers with its decision when it comes within the wait (201/204, or the refusal's status with its
 * RSV_* code), else 202 with the request's status URL.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { flagCatalog } from '../../infra/flags/catalog.js';
import { ApiError } from '../errors.js';
import { requireFlag } from '../http/flags.js';
import { authErrors, bearerSecurity, noContent, responses } from '../http/schemas.js';
import { requestTraceparent } from '../http/tracing.js';
import type { Answer } from './answers.js';
import { type HoldBody as HoldRequest } from './commands.js';
import { parseIdempotencyKey } from './request-ids.js';
import {
  bookingParams,
  CancelBody,
  eventParams,
  Hold,
  HoldBody,
  holdParams,
  idempotencyHeader,
  Pending,
  Refusal,
  RequestStatus,
  requestParams,
} from './schemas.js';
import type { BookingService, Outcome } from './service.js';
import type { LiveMetrics } from '../push/metrics.js';

/** Statuses a decision may answer with, documented with the Refusal body. */
const refusals = { 403: Refusal, 404: Refusal, 409: Refusal, 422: Refusal };

export async function bookingRoutes(app: FastifyInstance, opts: { service: BookingService; metrics: LiveMetrics }) {
  const { service, metrics } = opts;
  app.addHook('preHandler', app.authenticate);

  const answer = (reply: FastifyReply, outcome: Outcome, startedAt: bigint): FastifyReply => {
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const kind = outcome.kind === 'pending' ? 'pending' : 'decided';
    metrics.decisions.inc({ outcome: kind });
    metrics.decisionWait.observe({ outcome: kind }, seconds);
    if (outcome.kind === 'pending') {
      const statusUrl = `/v1/requests/${outcome.requestId}`;
      return reply
        .code(202)
        .header('location', statusUrl)
        .header('retry-after', '1')
        .send({ requestId: outcome.requestId, status: 'PENDING', statusUrl });
    }
    const a: Answer = outcome.answer;
    return a.body === undefined ? reply.code(a.status).send() : reply.code(a.status).send(a.body);
  };

  app.post<{ Params: { eventId: string }; Body: HoldRequest }>(
    '/v1/events/:eventId/holds',
    {
      schema: {
        tags: ['bookings'],
        summary: 'Hold seats (given seats, best available, or general-admission places) until the hold expires',
        security: bearerSecurity,
        params: eventParams,
        headers: idempotencyHeader,
        body: HoldBody,
        response: { ...responses({ 201: Hold, 202: Pending }, [...authErrors, 503]), ...refusals },
      },
    },
    async (req, reply) => {
      const startedAt = process.hrtime.bigint();
      // best-available selection (a quantity, not seat ids) can be switched off or rolled out by user
      if ('quantity' in req.body) requireFlag(app, flagCatalog.holdBestAvailable, req.principal!.sub);
      const raw = req.headers['idempotency-key'];
      if (raw === undefined) throw new ApiError('SS_ERR_BOOKING_IDEMPOTENCY_KEY_MISSING');
      const key = parseIdempotencyKey(raw);
      if (key === null) throw new ApiError('SS_ERR_BOOKING_IDEMPOTENCY_KEY_INVALID');
      const outcome = await service.hold(req.principal!, req.params.eventId, key, req.body, requestTraceparent(req));
      return answer(reply, outcome, startedAt);
    },
  );

  app.delete<{ Params: { holdId: string } }>(
    '/v1/holds/:holdId',
    {
      schema: {
        tags: ['bookings'],
        summary: 'Release a hold before it expires (its owner only); repeating it answers the same',
        security: bearerSecurity,
        params: holdParams,
        response: { ...responses({ 202: Pending, 204: noContent }, authErrors), ...refusals },
      },
    },
    async (req, reply) => {
      const startedAt = process.hrtime.bigint();
      const outcome = await service.release(req.principal!, req.params.holdId, requestTraceparent(req));
      return answer(reply, outcome, startedAt);
    },
  );

  app.delete<{ Params: { bookingId: string }; Body: { reason?: string } | null | undefined }>(
    '/v1/bookings/:bookingId',
    {
      schema: {
        tags: ['bookings'],
        summary:
          'Cancel a booking: its owner, or an operator (admin, or organizer of the event, with TOTP) on their behalf',
        security: bearerSecurity,
        params: bookingParams,
        body: CancelBody,
        response: { ...responses({ 202: Pending, 204: noContent }, authErrors), ...refusals },
      },
    },
    async (req, reply) => {
      const startedAt = process.hrtime.bigint();
      const outcome = await service.cancel(
        req.principal!,
        req.params.bookingId,
        req.body?.reason ?? null,
        requestTraceparent(req),
      );
      return answer(reply, outcome, startedAt);
    },
  );

  app.get<{ Params: { requestId: string } }>(
    '/v1/requests/:requestId',
    {
      schema: {
        tags: ['bookings'],
        summary: "A booking request's status: pending, or its decision (from the read model)",
        security: bearerSecurity,
        params: requestParams,
        response: responses({ 200: RequestStatus }, [...authErrors, 404]),
      },
    },
    async (req) => service.status(req.principal!, req.params.requestId),
  );
}
