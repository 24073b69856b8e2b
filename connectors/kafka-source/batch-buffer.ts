/**
 * The records a batched consumer holds between two writes, and when to write them. Pure.
 *
 * Records are added per fetched batch with the partition's next position (the offset after the batch, control
 * records and skipped records included). `take()` hands over everything held: the records in the order they were
 * added and, per partition, the position to commit once they are written. A write is due when the buffer holds
 * `maxRecords` records or its oldest record has waited `maxWaitMs`.
 */
import { tpKey, type SourceRecord, type TopicPartition } from './records.js';

export interface FlushPolicy {
  /** Write as soon as this many records are held. */
  maxRecords: number;
  /** Write when the oldest held record (or position) has waited this long. */
  maxWaitMs: number;
}

export interface TakenBatch {
  records: SourceRecord[];
  /** Per partition: the offset to commit after the records are written (the next one to read). */
  positions: Map<string, { tp: TopicPartition; next: number }>;
}

export class BatchBuffer {
  private records: SourceRecord[] = [];
  private positions = new Map<string, { tp: TopicPartition; next: number }>();
  private since: number | undefined;

  constructor(private readonly policy: FlushPolicy) {}

  /** Adds the records of one fetched batch; `next` is the partition's position after it. */
  add(tp: TopicPartition, records: readonly SourceRecord[], next: number, now: number): void {
    for (const r of records) this.records.push(r);
    const key = tpKey(tp);
    const had = this.positions.get(key);
    if (!had || next > had.next) this.positions.set(key, { tp, next });
    this.since ??= now;
  }

  get size(): number {
    return this.records.length;
  }

  /** True when there is anything to write or commit. */
  get pending(): boolean {
    return this.positions.size > 0;
  }

  due(now: number): boolean {
    if (!this.pending) return false;
    return this.records.length >= this.policy.maxRecords || now - (this.since ?? now) >= this.policy.maxWaitMs;
  }

  /** Milliseconds until the held records are due by age (0 when due, Infinity when empty). */
  dueInMs(now: number): number {
    if (this.since === undefined) return Infinity;
    return Math.max(0, this.since + this.policy.maxWaitMs - now);
  }

  take(): TakenBatch {
    const out = { records: this.records, positions: this.positions };
    this.clear();
    return out;
  }

  clear(): void {
    this.records = [];
    this.positions = new Map();
    this.since = undefined;
  }
}
