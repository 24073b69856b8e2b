/**
 * Prometheus metrics of one registry instance, in a registry of its own (several instances may run in
 * one process, as in the tests). Served at GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LogRecord } from './log-records.js';
import type { Outcome } from './state.js';
import type { RegistryStore } from './store.js';

export interface RegistryMetrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  observeApplied(record: LogRecord | undefined, outcome: Outcome | undefined, offset: number): void;
}

export function createRegistryMetrics(store: () => RegistryStore | undefined): RegistryMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'schema_registry_' });

  const requests = new Counter({
    name: 'schema_registry_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'schema_registry_http_request_duration_seconds',
    help: 'HTTP request duration, by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const applied = new Counter({
    name: 'schema_registry_log_records_applied_total',
    help: 'Records of the schemas log applied, by kind and result (ok, refused, duplicate, unknown)',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  const offset = new Gauge({
    name: 'schema_registry_log_applied_offset',
    help: 'Offset of the last record of the schemas log applied by this instance',
    registers: [registry],
  });
  new Gauge({
    name: 'schema_registry_ready',
    help: '1 once the schemas log was read to its end at startup',
    registers: [registry],
    collect() {
      this.set(store()?.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'schema_registry_schemas',
    help: 'Distinct schemas (ids) known',
    registers: [registry],
    collect() {
      this.set(store()?.state.counts().schemas ?? 0);
    },
  });
  new Gauge({
    name: 'schema_registry_subjects',
    help: 'Subjects with at least one live version',
    registers: [registry],
    collect() {
      this.set(store()?.state.counts().subjects ?? 0);
    },
  });

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    observeApplied(record, outcome, at) {
      offset.set(at);
      const result = !record ? 'unknown' : !outcome ? 'duplicate' : outcome.ok ? 'ok' : 'refused';
      applied.inc({ kind: record?.kind ?? 'unknown', result });
    },
  };
}
