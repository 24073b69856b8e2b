import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import {
  batchTraces,
  extractTraceContext,
  injectTraceHeaders,
  spanContextOf,
  TRACE_HEADERS,
  traceparentOf,
} from './kafka-headers.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE}-${SPAN}-01`;

describe('trace context in Kafka headers', () => {
  it('names the W3C headers', () => assert.deepEqual([...TRACE_HEADERS], ['traceparent', 'tracestate']));

  it('reads traceparent and tracestate from bytes, strings or repeated values', () => {
    for (const headers of [
      { traceparent: Buffer.from(TRACEPARENT), tracestate: Buffer.from('vendor=x') },
      { traceparent: TRACEPARENT, tracestate: 'vendor=x' },
      { traceparent: [Buffer.from('00-garbage'), Buffer.from(TRACEPARENT)], tracestate: ['vendor=x'] },
    ]) {
      const sc = spanContextOf(headers);
      assert.equal(sc?.traceId, TRACE);
      assert.equal(sc?.spanId, SPAN);
      assert.equal(sc?.traceFlags, TraceFlags.SAMPLED);
      assert.equal(sc?.isRemote, true);
      assert.equal(sc?.traceState?.get('vendor'), 'x');
    }
  });

  it('ignores what is not a valid traceparent, and then takes the fallback', () => {
    assert.equal(spanContextOf({ traceparent: '00-zz-yy-01' }), undefined);
    assert.equal(spanContextOf({ traceparent: `00-${'0'.repeat(32)}-${SPAN}-01` }), undefined);
    assert.equal(spanContextOf({}, TRACEPARENT)?.traceId, TRACE);
    assert.equal(spanContextOf(undefined, TRACEPARENT)?.spanId, SPAN);
    const other = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00`;
    assert.equal(spanContextOf({ traceparent: other }, TRACEPARENT)?.traceId, '1'.repeat(32), 'headers win');
  });

  it('writes the context back as it was read (round trip), and nothing for a context without span', () => {
    const ctx = extractTraceContext({ traceparent: TRACEPARENT, tracestate: 'a=1,b=2' });
    assert.deepEqual(injectTraceHeaders(ctx, { other: 'kept' }), {
      other: 'kept',
      traceparent: TRACEPARENT,
      tracestate: 'a=1,b=2',
    });
    assert.equal(traceparentOf(ctx), TRACEPARENT);
    assert.deepEqual(injectTraceHeaders(ROOT_CONTEXT), {});
    assert.equal(traceparentOf(ROOT_CONTEXT), null);
  });

  it('writes the span context set on a context', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: TRACE,
      spanId: 'a'.repeat(16),
      traceFlags: TraceFlags.NONE,
    });
    assert.equal(traceparentOf(ctx), `00-${TRACE}-${'a'.repeat(16)}-00`);
  });

  it('lists the distinct traces of a batch, in record order, up to a maximum', () => {
    const tp = (t: string, s: string) => ({
      headers: { traceparent: Buffer.from(`00-${t.repeat(32)}-${s.repeat(16)}-01`) },
    });
    const records = [tp('a', '1'), { headers: {} }, tp('b', '2'), tp('a', '1'), tp('c', '3'), {}];
    assert.deepEqual(batchTraces(records), {
      traced: 4,
      traces: [
        { traceId: 'a'.repeat(32), spanId: '1'.repeat(16) },
        { traceId: 'b'.repeat(32), spanId: '2'.repeat(16) },
        { traceId: 'c'.repeat(32), spanId: '3'.repeat(16) },
      ],
    });
    assert.deepEqual(batchTraces(records, 1).traces, [{ traceId: 'a'.repeat(32), spanId: '1'.repeat(16) }]);
    assert.equal(batchTraces(records, 1).traced, 4);
  });
});
