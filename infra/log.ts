/**
 * Structured logs (pino), one logger per component. JSON by default; `LOG_PRETTY=1` makes them
 * readable in a terminal. `LOG_LEVEL` sets the level (default info; tests default to warn).
 * A line written while an OpenTelemetry span is active carries its `trace_id` and `span_id`.
 */
import { context, trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

const level = process.env.LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'warn' : 'info');

const root: Logger = pino({
  level,
  base: { pid: process.pid },
  mixin() {
    const span = trace.getSpanContext(context.active());
    return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
  },
  redact: {
    paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret'],
    censor: '[redacted]',
  },
  ...(process.env.LOG_PRETTY
    ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } } }
    : {}),
});

export const logger = (component: string, bindings: Record<string, unknown> = {}): Logger =>
  root.child({ component, ...bindings });
export type { Logger };
