/**
 * Every failure answered as `{ code, message }`: our `ApiError`s, Fastify's validation and parser
 * errors (mapped to 4xx in errors.ts), unknown routes (404 SS_ERR_NOT_FOUND) and anything
 * unexpected (500 SS_ERR_INTERNAL, logged with its stack, message not leaked).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errorCatalog, toErrorResponse } from '../errors.js';

export function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body, headers } = toErrorResponse(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: body.code }, 'request refused');
  // Errors raised before the onRequest hooks (a malformed URL) still echo the request id.
  return reply.code(status).header('x-request-id', req.id).headers(headers).send(body);
}

export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError, req, reply) => sendError(err, req, reply));
    app.setNotFoundHandler((req, reply) =>
      reply.code(404).send({
        code: 'SS_ERR_NOT_FOUND',
        message: `${errorCatalog.SS_ERR_NOT_FOUND.message}: ${req.method} ${req.url.split('?')[0]}`,
      }),
    );
  },
  { name: 'seatstream-errors' },
);
