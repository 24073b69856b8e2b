/** Prometheus metrics of the ClickHouse writer (names `seatstream_clickhouse_*`). */
import { Counter, Histogram, type Registry } from 'prom-client';

export type WriterMetrics = ReturnType<typeof createWriterMetrics>;

export function createWriterMetrics(registry: Registry) {
  const registers = [registry];
  return {
    rows: new Counter({
      name: 'seatstream_clickhouse_rows_inserted_total',
      help: 'Rows inserted, per table',
      labelNames: ['table'] as const,
      registers,
    }),
    insertSeconds: new Histogram({
      name: 'seatstream_clickhouse_insert_seconds',
      help: 'Duration of one INSERT (the materialized views it feeds included)',
      labelNames: ['table'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    deadLetters: new Counter({
      name: 'seatstream_clickhouse_dead_letters_total',
      help: 'Records not written because they could not be decoded or mapped, per code',
      labelNames: ['topic', 'code'] as const,
      registers,
    }),
  };
}
