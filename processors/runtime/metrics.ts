/**
 * Prometheus metrics of one runtime instance (prom-client), in their own registry so several
 * runtimes in a process (tests, the API embedding one) do not collide. `text()` is what /metrics serves.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class RuntimeMetrics {
  readonly registry = new Registry();

  readonly recordsIn: Counter<'topic' | 'partition'>;
  readonly recordsOut: Counter<'topic'>;
  readonly commitLatency: Histogram;
  readonly commits: Counter<'result'>;
  readonly restoreSeconds: Histogram<'store'>;
  readonly restoredRecords: Counter<'store'>;
  /** Per task and input partition; a task's series go when it closes (`forgetTask`). */
  readonly lag: Gauge<'task' | 'topic' | 'partition'>;
  readonly deadLetters: Counter<'topic' | 'code'>;
  readonly processingRetries: Counter<'topic'>;
  readonly punctuations: Counter<'result'>;
  readonly activeTasks: Gauge;

  /** `storeStats()` is read at scrape time: per task and store, entries and bytes. */
  constructor(
    applicationId: string,
    storeStats: () => { task: string; store: string; entries: number; bytes: number }[],
  ) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ application: applicationId });
    this.recordsIn = new Counter({
      name: 'seatstream_runtime_records_in_total',
      help: 'Records consumed and processed in committed transactions (dead letters included)',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.recordsOut = new Counter({
      name: 'seatstream_runtime_records_out_total',
      help: 'Records produced in committed transactions, by topic (changelogs and dead letters included)',
      labelNames: ['topic'],
      registers,
    });
    this.commitLatency = new Histogram({
      name: 'seatstream_runtime_commit_seconds',
      help: 'Time to send outputs, changelog and offsets and commit one transaction, then apply the store batch',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.commits = new Counter({
      name: 'seatstream_runtime_transactions_total',
      help: 'Transactions by outcome (committed, aborted, fenced, failed)',
      labelNames: ['result'],
      registers,
    });
    this.restoreSeconds = new Histogram({
      name: 'seatstream_runtime_restore_seconds',
      help: 'Time to restore a task store from its changelog',
      labelNames: ['store'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    });
    this.restoredRecords = new Counter({
      name: 'seatstream_runtime_restored_records_total',
      help: 'Changelog records applied during restores',
      labelNames: ['store'],
      registers,
    });
    this.lag = new Gauge({
      name: 'seatstream_runtime_consumer_lag',
      help: 'Records between the last processed offset and the high watermark, per task and input partition',
      labelNames: ['task', 'topic', 'partition'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'seatstream_runtime_dead_letters_total',
      help: 'Records sent to a dead-letter topic, by source topic and reason code',
      labelNames: ['topic', 'code'],
      registers,
    });
    this.processingRetries = new Counter({
      name: 'seatstream_runtime_processing_retries_total',
      help: 'Records whose processing threw and was retried',
      labelNames: ['topic'],
      registers,
    });
    this.punctuations = new Counter({
      name: 'seatstream_runtime_punctuations_total',
      help: 'Punctuator runs by outcome (ok, error)',
      labelNames: ['result'],
      registers,
    });
    this.activeTasks = new Gauge({
      name: 'seatstream_runtime_active_tasks',
      help: 'Tasks running on this instance',
      registers,
    });
    const entries = new Gauge({
      name: 'seatstream_runtime_store_entries',
      help: 'Approximate entries per task store (RocksDB estimate-num-keys)',
      labelNames: ['task', 'store'],
      registers,
      collect() {
        entries.reset();
        for (const s of storeStats()) entries.set({ task: s.task, store: s.store }, s.entries);
      },
    });
    const bytes = new Gauge({
      name: 'seatstream_runtime_store_bytes',
      help: 'Approximate bytes per task store (memtables + SST files)',
      labelNames: ['task', 'store'],
      registers,
      collect() {
        bytes.reset();
        for (const s of storeStats()) bytes.set({ task: s.task, store: s.store }, s.bytes);
      },
    });
  }

  /** Drops the per-task series of a task that closed (revoked, migrated): its lag is another instance's now. */
  async forgetTask(taskId: string): Promise<void> {
    for (const v of (await this.lag.get()).values)
      if (v.labels.task === taskId) this.lag.remove(v.labels as Record<'task' | 'topic' | 'partition', string>);
  }

  /** The Prometheus text exposition of every metric above. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
