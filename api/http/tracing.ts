/**
 * A server span per HTTP request (W3C Trace Context). A valid incoming `traceparent` is honoured (the span is its
 * child), else the span starts a trace. The response carries the span's `traceparent` header, so a client can find
 * its request in logs and traces; handlers get the same value with `requestTraceparent(req)` to hand on to Kafka
 * (commands, payment requests), whose producers continue the trace.
 *
 * The span is active (infra/log.ts adds its ids to log lines) from onRequest and again from preHandler, because the
 * body is parsed in the socket's async context, not the request's. Without `initTracing` (in-process tests) the
 * span is the API's no-op one; the request still gets a traceparent of its own (`traceparentFor`).
 */
import { randomBytes } from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { extractTraceContext, traceparentOf } from '../../infra/telemetry/kafka-headers.js';
import { tracer } from '../../infra/telemetry/tracing.js';

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * A traceparent for what the request sends on: the caller's trace (from its `traceparent` header, when valid)
 * continued with a new span id, or a new sampled trace.
 */
export function traceparentFor(incoming: string | string[] | undefined): string {
  const span = randomBytes(8).toString('hex');
  const m = typeof incoming === 'string' ? traceparentPattern.exec(incoming.trim()) : null;
  if (m && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!)) return `00-${m[1]}-${span}-${m[3]}`;
  return `00-${randomBytes(16).toString('hex')}-${span}-01`;
}

/** The response header naming the request's span. */
export const TRACEPARENT_RESPONSE_HEADER = 'traceparent';

interface RequestSpan {
  span: Span;
  ctx: Context;
  traceparent: string;
}

const spans = new WeakMap<FastifyRequest, RequestSpan>();

/** The `traceparent` of the request's server span (a fresh valid one when no span was started). */
export function requestTraceparent(req: FastifyRequest): string {
  return spans.get(req)?.traceparent ?? traceparentFor(req.headers.traceparent);
}

const routeOf = (req: FastifyRequest) => req.routeOptions.url ?? 'unmatched';

export const tracingPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', (req, reply, done) => {
      const parent = extractTraceContext(req.headers);
      const span = tracer().startSpan(
        `${req.method} ${routeOf(req)}`,
        {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': req.method, 'http.route': routeOf(req), 'url.path': req.url },
        },
        parent,
      );
      const ctx = trace.setSpan(parent, span);
      // A span of our own has a span id of its own; the no-op tracer's only repeats the parent's (or none).
      const own = span.spanContext().spanId !== trace.getSpanContext(parent)?.spanId && span.spanContext().spanId;
      const traceparent = (own && traceparentOf(ctx)) || traceparentFor(req.headers.traceparent);
      spans.set(req, { span, ctx, traceparent });
      reply.header(TRACEPARENT_RESPONSE_HEADER, traceparent);
      context.with(ctx, done);
    });
    app.addHook('preHandler', (req, _reply, done) => {
      const s = spans.get(req);
      if (s) context.with(s.ctx, done);
      else done();
    });
    app.addHook('onResponse', async (req, reply) => {
      const s = spans.get(req);
      if (!s) return;
      s.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) s.span.setStatus({ code: SpanStatusCode.ERROR });
      s.span.end();
      spans.delete(req);
    });
    app.addHook('onRequestAbort', async (req) => {
      const s = spans.get(req);
      if (!s) return;
      s.span.setAttribute('http.request.aborted', true);
      s.span.end();
      spans.delete(req);
    });
  },
  { name: 'seatstream-tracing' },
);
