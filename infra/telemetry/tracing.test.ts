import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { extractTraceContext } from './kafka-headers.js';
import { initTracing, otlpTracesUrl, withSpan } from './tracing.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('tracing', () => {
  it('exports nowhere unless an OTLP endpoint is set; the traces endpoint wins', () => {
    assert.equal(otlpTracesUrl({}), null);
    assert.equal(otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), null);
    assert.equal(
      otlpTracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }),
      'http://127.0.0.1:4318/v1/traces',
    );
    assert.equal(
      otlpTracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9999/traces',
      }),
      'http://127.0.0.1:9999/traces',
    );
  });

  it('without initTracing, a span under a parent carries the parent context through unchanged', async () => {
    const parent = extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-01` });
    const seen = await withSpan('x', { kind: SpanKind.CONSUMER }, parent, async (span) => span.spanContext());
    assert.equal(seen.traceId, TRACE);
    assert.equal(seen.spanId, SPAN);
  });

  it('after initTracing: child spans keep the trace id with ids of their own, active inside, errors rethrown', async () => {
    const t = initTracing('test-service', {});
    assert.equal(t.exportUrl, null);
    assert.equal(t.enabled, true);
    assert.equal(initTracing('another', {}), t, 'once per process');
    const parent = extractTraceContext({ traceparent: `00-${TRACE}-${SPAN}-01` });
    const inner = await withSpan('child', {}, parent, async (span) => {
      await new Promise((r) => setImmediate(r));
      assert.equal(trace.getSpanContext(context.active())?.spanId, span.spanContext().spanId, 'active across awaits');
      return span.spanContext();
    });
    assert.equal(inner.traceId, TRACE);
    assert.notEqual(inner.spanId, SPAN);
    assert.match(inner.spanId, /^[0-9a-f]{16}$/);
    const root = await withSpan('root', {}, ROOT_CONTEXT, async (span) => span.spanContext());
    assert.match(root.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(root.traceId, TRACE);
    await assert.rejects(
      withSpan('failing', {}, parent, async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    await t.shutdown();
  });
});
