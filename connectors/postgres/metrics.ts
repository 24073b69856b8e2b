/** Prometheus metrics of the read-model sink (names `seatstream_sink_postgres_*`), on the caller's registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type SinkMetrics = ReturnType<typeof createSinkMetrics>;

export function createSinkMetrics(registry: Registry) {
  const registers = [registry];
  return {
    records: new Counter({
      name: 'seatstream_sink_postgres_records_total',
      help: 'Records consumed, by outcome: applied, replay (skipped: a repeated decision), dead_lettered, or already_applied (below the stored offset: redelivered after a crash or a rebalance)',
      labelNames: ['topic', 'outcome'] as const,
      registers,
    }),
    batches: new Histogram({
      name: 'seatstream_sink_postgres_batch_seconds',
      help: 'Time to apply one fetched batch: decode, one PostgreSQL transaction with its offsets, dead letters',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    batchRecords: new Histogram({
      name: 'seatstream_sink_postgres_batch_records',
      help: 'Records per applied batch',
      buckets: [1, 10, 50, 100, 500, 1_000, 5_000, 10_000],
      registers,
    }),
    failures: new Counter({
      name: 'seatstream_sink_postgres_batch_failures_total',
      help: 'Failed attempts to apply a batch (PostgreSQL, the registry or the DLQ unavailable); the batch is retried',
      registers,
    }),
    nextOffset: new Gauge({
      name: 'seatstream_sink_postgres_next_offset',
      help: 'Next offset to apply per partition, as stored in PostgreSQL',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    lag: new Gauge({
      name: 'seatstream_sink_postgres_lag_records',
      help: 'High watermark minus the next offset to apply, per partition (as of the last fetched batch)',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    assigned: new Gauge({
      name: 'seatstream_sink_postgres_assigned_partitions',
      help: 'Partitions currently assigned to this instance',
      registers,
    }),
  };
}
