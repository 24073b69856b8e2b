/**
 * W3C trace context in Kafka record headers (`traceparent`, `tracestate`), as the W3C propagator writes them into
 * HTTP headers. Works on the header shapes of kafkajs (string or bytes, possibly repeated), the stream runtime and the
 * sinks' SourceRecord. Independent of `initTracing`: the propagator is this module's own.
 */
import { ROOT_CONTEXT, trace, type Context, type SpanContext, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

type HeaderValue = string | Buffer;
/** Kafka headers as read: a value may be bytes, a string, or repeated. */
export type ReadHeaders = Readonly<Record<string, HeaderValue | HeaderValue[] | undefined>>;

const propagator = new W3CTraceContextPropagator();

/** The header names the W3C propagator writes (`traceparent`, `tracestate`). */
export const TRACE_HEADERS: readonly string[] = propagator.fields();

const text = (v: HeaderValue | HeaderValue[] | undefined): string | undefined => {
  const one = Array.isArray(v) ? v[v.length - 1] : v;
  if (one === undefined) return undefined;
  return typeof one === 'string' ? one : one.toString('utf8');
};

const getter: TextMapGetter<ReadHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => text(carrier[key]),
};

/**
 * The trace context carried by `headers`, on top of `base`; when the headers carry none, the one of
 * `fallbackTraceparent` (e.g. a `traceparent` field of the record's value); else `base` unchanged.
 */
export function extractTraceContext(
  headers: ReadHeaders | undefined,
  fallbackTraceparent: string | null = null,
  base: Context = ROOT_CONTEXT,
): Context {
  const fromHeaders = headers ? propagator.extract(base, headers, getter) : base;
  if (trace.getSpanContext(fromHeaders) !== trace.getSpanContext(base) || !fallbackTraceparent) return fromHeaders;
  return propagator.extract(base, { traceparent: fallbackTraceparent }, getter);
}

/** Writes the span context of `ctx` (when it has a valid one) into `headers` as `traceparent`/`tracestate`. */
export function injectTraceHeaders(ctx: Context, headers: Record<string, string> = {}): Record<string, string> {
  propagator.inject(ctx, headers, {
    set: (carrier, key, value) => {
      carrier[key] = value;
    },
  });
  return headers;
}

/** The `traceparent` value of the span context of `ctx`, or null when it has none. */
export function traceparentOf(ctx: Context): string | null {
  return injectTraceHeaders(ctx).traceparent ?? null;
}

/** The span context the headers carry (fallback as in `extractTraceContext`), or undefined. */
export function spanContextOf(
  headers: ReadHeaders | undefined,
  fallbackTraceparent: string | null = null,
): SpanContext | undefined {
  return trace.getSpanContext(extractTraceContext(headers, fallbackTraceparent));
}

/**
 * The distinct trace and span ids carried by a batch of records, at most `max` of them (in record order), and how
 * many records carried one: what a sink logs for the batch it applied.
 */
export function batchTraces(
  records: readonly { headers?: ReadHeaders }[],
  max = 50,
): { traces: { traceId: string; spanId: string }[]; traced: number } {
  const seen = new Set<string>();
  const traces: { traceId: string; spanId: string }[] = [];
  let traced = 0;
  for (const r of records) {
    const sc = spanContextOf(r.headers);
    if (!sc) continue;
    traced++;
    const k = `${sc.traceId}/${sc.spanId}`;
    if (seen.has(k) || traces.length >= max) continue;
    seen.add(k);
    traces.push({ traceId: sc.traceId, spanId: sc.spanId });
  }
  return { traces, traced };
}
