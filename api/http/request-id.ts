/**
 * Request ids: a caller's `x-request-id` is kept when it is a sane token (so a trace spans the
 * gateway and the API), otherwise one is generated. Fastify binds it to every log line of the
 * request (`requestId`), and it is echoed in the response header.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const requestIdHeader = 'x-request-id';
const acceptable = /^[A-Za-z0-9._:-]{8,128}$/;

export function genReqId(req: IncomingMessage): string {
  const given = req.headers[requestIdHeader];
  return typeof given === 'string' && acceptable.test(given) ? given : randomUUID();
}

export const requestIdPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (req, reply) => {
      reply.header(requestIdHeader, req.id);
    });
  },
  { name: 'seatstream-request-id' },
);
