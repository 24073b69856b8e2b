import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import Fastify from 'fastify';
import { initTracing } from '../../infra/telemetry/tracing.js';
import { requestTraceparent, tracingPlugin } from './tracing.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const INCOMING = `00-${TRACE}-00f067aa0ba902b7-01`;
const pattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

async function app() {
  const a = Fastify();
  await a.register(tracingPlugin);
  a.post('/things/:id', async (req) => ({
    traceparent: requestTraceparent(req),
    activeTrace: trace.getSpanContext(context.active())?.traceId ?? null,
  }));
  return a;
}

const call = async (a: Awaited<ReturnType<typeof app>>, headers: Record<string, string> = {}) => {
  const res = await a.inject({ method: 'POST', url: '/things/42', payload: { x: 1 }, headers });
  const body = res.json() as { traceparent: string; activeTrace: string | null };
  return { header: String(res.headers.traceparent), ...body };
};

describe('a server span per request', () => {
  it('without a tracer provider: the request still gets a traceparent of its own, continuing the caller', async () => {
    const a = await app();
    const continued = await call(a, { traceparent: INCOMING });
    assert.equal(continued.header, continued.traceparent, 'the response names what the handler hands on');
    assert.equal(pattern.exec(continued.header)?.[1], TRACE);
    assert.notEqual(pattern.exec(continued.header)?.[2], '00f067aa0ba902b7');
    const fresh = await call(a, { traceparent: 'not-a-traceparent' });
    assert.match(fresh.header, pattern);
    assert.notEqual(pattern.exec(fresh.header)?.[1], TRACE);
    await a.close();
  });

  it('with the provider: a child span of the incoming context, active in the handler (after body parsing)', async () => {
    initTracing('api-test', {});
    const a = await app();
    const continued = await call(a, { traceparent: INCOMING });
    assert.equal(continued.header, continued.traceparent);
    assert.equal(pattern.exec(continued.header)?.[1], TRACE);
    assert.notEqual(pattern.exec(continued.header)?.[2], '00f067aa0ba902b7');
    assert.equal(continued.activeTrace, TRACE);
    const fresh = await call(a);
    assert.match(fresh.header, pattern);
    assert.equal(fresh.activeTrace, pattern.exec(fresh.header)?.[1]);
    await a.close();
  });
});
