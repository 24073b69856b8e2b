/**
 * OpenTelemetry tracing of a SeatStream service: `initTracing(serviceName)` once at the start of a main.ts registers a
 * tracer provider (AsyncLocalStorage context, W3C Trace Context propagation) so spans get ids of their own and
 * `context.active()` follows async code; `withSpan` runs work in a span.
 *
 * Spans leave the process only when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else
 * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces): then a BatchSpanProcessor sends them over OTLP/HTTP. Without one nothing
 * is exported and nothing is dialled; trace ids still flow through HTTP and Kafka headers and into the logs
 * (infra/log.ts). OTEL_SDK_DISABLED=true registers nothing (the API's no-op tracer: contexts pass through unchanged).
 * OTEL_SERVICE_NAME overrides the service name.
 *
 * Without `initTracing` (unit tests, code embedded in a test process) the API's no-op tracer is in place: a span
 * started under a parent carries the parent's ids, so trace context is copied through unchanged.
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/** The instrumentation scope of every SeatStream span. */
export const TRACER_NAME = 'seatstream';

export const tracer = (): Tracer => trace.getTracer(TRACER_NAME);

export interface Tracing {
  /** The service name spans carry (`service.name`). */
  readonly serviceName: string;
  /** Where spans are exported (OTLP/HTTP), or null: not exported. */
  readonly exportUrl: string | null;
  /** False when OTEL_SDK_DISABLED=true: nothing was registered. */
  readonly enabled: boolean;
  /** Exports what is buffered and stops; call before exiting. */
  shutdown(): Promise<void>;
}

/** The OTLP/HTTP traces URL the environment asks for, or null (the default): spans are not exported. */
export function otlpTracesUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : null;
}

let current: Tracing | null = null;

/**
 * Registers the process's tracer provider, once (a later call answers the first one's `Tracing`).
 * @param serviceName `service.name` of the spans (OTEL_SERVICE_NAME wins)
 */
export function initTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  if (current) return current;
  const name = env.OTEL_SERVICE_NAME?.trim() || serviceName;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    current = { serviceName: name, exportUrl: null, enabled: false, shutdown: async () => undefined };
    return current;
  }
  const url = otlpTracesUrl(env);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': name }),
    spanProcessors: url ? [new BatchSpanProcessor(new OTLPTraceExporter({ url }))] : [],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  current = { serviceName: name, exportUrl: url, enabled: true, shutdown: () => provider.shutdown() };
  return current;
}

/**
 * Runs `fn` in a new span, child of `parent` (default: the active context), with the span active; the span ends
 * when `fn` settles, with an error status and the exception recorded when it throws.
 */
export async function withSpan<T>(
  name: string,
  options: SpanOptions,
  parent: Context | undefined,
  fn: (span: Span, ctx: Context) => Promise<T>,
): Promise<T> {
  const base = parent ?? context.active();
  const span = tracer().startSpan(name, options, base);
  const ctx = trace.setSpan(base, span);
  try {
    return await context.with(ctx, () => fn(span, ctx));
  } catch (err) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}

/**
 * A consumer span for a batch of records that came from several traces (a sink's write): a root of its own, linked to
 * each record's span (OpenTelemetry's messaging conventions for batch processing). The caller ends it.
 */
export function startBatchSpan(
  name: string,
  attributes: Attributes,
  traces: readonly { traceId: string; spanId: string }[],
): Span {
  return tracer().startSpan(
    name,
    {
      kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': traces.length, ...attributes },
      links: traces.map((t) => ({
        context: { traceId: t.traceId, spanId: t.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true },
      })),
    },
    ROOT_CONTEXT,
  );
}

/** Runs `fn` (e.g. a log call) with `span` active, so infra/log.ts adds its ids. */
export const inSpan = <T>(span: Span, fn: () => T): T => context.with(trace.setSpan(context.active(), span), fn);
