/** Prometheus metrics of a batched consumer (names `seatstream_source_*`), registered on the caller's registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type SourceMetrics = ReturnType<typeof createSourceMetrics>;

export function createSourceMetrics(registry: Registry) {
  const registers = [registry];
  return {
    records: new Counter({
      name: 'seatstream_source_records_total',
      help: 'Records consumed, by outcome: written, dead_lettered, or skipped (already stored downstream)',
      labelNames: ['topic', 'outcome'] as const,
      registers,
    }),
    flushes: new Histogram({
      name: 'seatstream_source_flush_seconds',
      help: 'Time to write one batch and commit its offsets (dead letters included)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    flushRecords: new Histogram({
      name: 'seatstream_source_flush_records',
      help: 'Records per written batch',
      buckets: [1, 10, 100, 500, 1_000, 5_000, 10_000, 50_000],
      registers,
    }),
    writeFailures: new Counter({
      name: 'seatstream_source_write_failures_total',
      help: 'Failed attempts to write a batch (retried)',
      registers,
    }),
    commitFailures: new Counter({
      name: 'seatstream_source_commit_failures_total',
      help: 'Offset commits that failed after a successful write (the records are redelivered and skipped)',
      registers,
    }),
    lag: new Gauge({
      name: 'seatstream_source_lag_records',
      help: 'High watermark minus the position after the last fetched batch, per partition',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    committed: new Gauge({
      name: 'seatstream_source_committed_offset',
      help: 'Last committed position per partition',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    lastFlush: new Gauge({
      name: 'seatstream_source_last_flush_timestamp_seconds',
      help: 'When the last batch was written and committed',
      registers,
    }),
  };
}
