/**
 * A stream task: the unit of work and of exactly-once for one input partition (Kafka Streams'
 * StreamTask). It owns one processor instance per topology node, one RocksDB store per state store,
 * and one transactional producer.
 *
 * Exactly once, per transaction: process a batch of records (store writes go to each store's write
 * buffer, outputs to memory) → send outputs and the stores' changelog records → send the consumed
 * offsets → commit; only then apply each store's buffer to RocksDB with its new changelog checkpoint.
 * An aborted transaction drops the buffers and rewinds the consumer, leaving no trace. A fenced
 * producer means another instance owns the partition: the task stops (TaskMigratedError) without
 * committing. A commit whose outcome is unknown makes the task restore itself (TaskCorruptedError).
 *
 * Batches and punctuations of a task run one at a time (a lock), each ending with a commit.
 */
import type { Logger } from '../../infra/log.js';
import type { BatchControl, ConsumedBatch, ConsumedRecord, OutgoingRecord, TransactionalProducer } from './client.js';
import { ProducerFencedError } from './client.js';
import { NodeContext, type TaskInternals } from './context.js';
import { deadLetterRecord, type DeadLetterCode } from './dead-letter.js';
import {
  RuntimeError,
  TaskCorruptedError,
  TaskMigratedError,
  TransactionAbortedError,
  UnknownNodeError,
  UnknownStoreError,
} from './errors.js';
import type { RuntimeMetrics } from './metrics.js';
import type {
  Cancellable,
  Headers,
  Processor,
  PunctuationType,
  Punctuator,
  RecordMetadata,
  StreamRecord,
} from './processor.js';
import { PunctuationSchedule, type Scheduled } from './punctuation.js';
import { chunkForSend, recordBytes, type SendLimits } from './send-chunks.js';
import { deserializeWith, serializeWith } from './serde.js';
import { ReadOnlyTypedKeyValueStore, TypedKeyValueStore, type KeyValueStore } from './state/key-value-store.js';
import type { TaskStore } from './state/task-store.js';
import { createTransactionStateMachine, type TransactionStateMachine } from './transaction-state.js';
import type { BuiltTopology, ProcessorNode, SinkNode, SourceNode, TopologyNode } from './topology.js';

export interface TaskConfig {
  /** Commit at least this often while a batch is being processed (a batch always ends with a commit). */
  commitIntervalMs: number;
  /** Attempts after the first before a record whose processing throws goes to the DLQ. */
  processingRetries: number;
  /** Outputs buffered in memory before they are sent (inside the open transaction). */
  maxBufferedBytes: number;
  /** How sends are split into requests (the Kafka client's preference). */
  sendLimits: SendLimits;
  /** Pause after an aborted transaction before the records are fetched again. */
  abortBackoffMs: number;
}

export interface TaskOptions {
  applicationId: string;
  taskId: string;
  partition: number;
  topology: BuiltTopology;
  stores: ReadonlyMap<string, TaskStore>;
  producer: TransactionalProducer;
  /** Dead-letter topic per source topic, and whether it keeps partition numbers. */
  deadLetters: ReadonlyMap<string, { topic: string; keepsPartition: boolean }>;
  /** Committed positions (next offset to read) per source topic. */
  positions: ReadonlyMap<string, number>;
  /** Moves the consumer of a source topic's partition back to `offset` (after an abort). */
  rewind(topic: string, offset: number): void;
  /** Failures outside batch processing (punctuations): TaskMigratedError or TaskCorruptedError. */
  onFailure(err: TaskMigratedError | TaskCorruptedError): void;
  config: TaskConfig;
  metrics: RuntimeMetrics;
  log: Logger;
}

type TaskState = 'created' | 'running' | 'closing' | 'closed';

/** Runs async sections one at a time, in call order. */
class Lock {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

const noHeaders: Headers = Object.freeze({});
const done: Promise<void> = Promise.resolve();
const isPromise = <T>(x: T | Promise<T>): x is Promise<T> =>
  x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Instance {
  node: ProcessorNode;
  processor: Processor;
  context: NodeContext;
}

export class StreamTask implements TaskInternals {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  readonly current: { metadata: RecordMetadata | undefined; timestamp: number; headers: Headers } = {
    metadata: undefined,
    timestamp: 0,
    headers: noHeaders,
  };

  private state: TaskState = 'created';
  private readonly lock = new Lock();
  private readonly tx: TransactionStateMachine = createTransactionStateMachine();
  private readonly instances = new Map<string, Instance>();
  private readonly typedStores = new Map<string, TypedKeyValueStore<unknown, unknown>>();
  private readonly schedule_ = new PunctuationSchedule();
  private timer: NodeJS.Timeout | undefined;
  private streamTime: number | undefined;

  /** Committed positions (next offset to read) per source topic. */
  private readonly positions: Map<string, number>;
  /** Positions consumed in the open transaction, not yet committed, and how many records per topic. */
  private readonly consumed = new Map<string, number>();
  private readonly consumedCount = new Map<string, number>();
  private outputs: OutgoingRecord[] = [];
  private bufferedBytes = 0;
  /** Records sent in the open transaction, per topic (counted as out once committed). */
  private readonly sentPerTopic = new Map<string, number>();
  private workStartedAt: number | undefined;

  /** Forwards of the current record still running, and the first failure among them. */
  private readonly inflight = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly o: TaskOptions) {
    this.applicationId = o.applicationId;
    this.taskId = o.taskId;
    this.partition = o.partition;
    this.positions = new Map(o.positions);
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Entries and bytes of each store, for the metrics. */
  storeStats(): { task: string; store: string; entries: number; bytes: number }[] {
    return [...this.o.stores.values()].map((s) => ({
      task: this.taskId,
      store: s.name,
      entries: s.approximateNumEntries(),
      bytes: s.approximateSizeBytes(),
    }));
  }

  /** The committed position of a source topic: where the consumer must start. */
  position(topic: string): number | undefined {
    return this.positions.get(topic);
  }

  /** Instantiates the processors and calls their init(), parents first. */
  async initialize(): Promise<void> {
    for (const node of this.o.topology.processors) {
      const processor = node.supplier();
      this.instances.set(node.name, { node, processor, context: new NodeContext(this, node) });
    }
    await this.lock.run(async () => {
      for (const { processor, context } of this.instances.values()) await processor.init?.(context);
    });
    this.state = 'running';
    this.armTimer();
  }

  // ---- TaskInternals (what processor contexts call) ----

  node(name: string): TopologyNode | undefined {
    return this.o.topology.nodes.get(name);
  }

  store(name: string): KeyValueStore<unknown, unknown> {
    let typed = this.typedStores.get(name);
    if (!typed) {
      const raw = this.o.stores.get(name);
      const spec = this.o.topology.stores.get(name);
      if (!raw || !spec) throw UnknownStoreError(name, this.taskId);
      typed = new TypedKeyValueStore(raw, spec);
      this.typedStores.set(name, typed);
    }
    return typed;
  }

  /** A view of a store's committed state, for interactive queries. */
  readOnlyStore<K, V>(name: string): ReadOnlyTypedKeyValueStore<K, V> {
    const raw = this.o.stores.get(name);
    const spec = this.o.topology.stores.get(name);
    if (!raw || !spec) throw UnknownStoreError(name, this.taskId);
    return new ReadOnlyTypedKeyValueStore(raw, spec) as ReadOnlyTypedKeyValueStore<K, V>;
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    const entry = this.schedule_.add(intervalMs, type, punctuator, Date.now(), this.streamTime);
    this.armTimer();
    return entry;
  }

  forwardFrom(
    node: ProcessorNode | SourceNode,
    record: StreamRecord<unknown, unknown>,
    childName?: string,
  ): Promise<void> {
    let children: readonly string[] = node.children;
    if (childName !== undefined) {
      if (!node.children.includes(childName)) return this.failed_(UnknownNodeError(childName, node.name));
      children = [childName];
    }
    let result: void | Promise<void>;
    try {
      result = children.length === 1 ? this.deliver(children[0]!, record) : this.deliverAll(children, record);
    } catch (error) {
      return this.failed_(error);
    }
    if (!isPromise(result)) return done;
    const p = result;
    this.inflight.add(p);
    // A failed forward fails the record even if the processor did not await it (or caught it).
    p.then(
      () => this.inflight.delete(p),
      (error: unknown) => {
        this.inflight.delete(p);
        this.failure ??= { error };
      },
    );
    return p;
  }

  /** A forward that failed at once: it fails the record, and is not an unhandled rejection. */
  private failed_(error: unknown): Promise<void> {
    this.failure ??= { error };
    const p = Promise.reject(error);
    p.catch(() => undefined);
    return p;
  }

  // ---- processing ----

  /** Processes a fetched batch of one source partition, committing as it goes and at the end. */
  processBatch(batch: ConsumedBatch, control: BatchControl): Promise<void> {
    return this.lock.run(async () => {
      if (this.state !== 'running') return;
      const source = this.o.topology.sourceFor(batch.topic);
      if (!source) return;
      let last = -1;
      try {
        for (const record of batch.records) {
          if (!control.isRunning() || control.isStale() || this.state !== 'running') break;
          if (record.offset < (this.consumed.get(batch.topic) ?? this.positions.get(batch.topic) ?? 0)) {
            // Already processed and committed (the consumer was behind the task): skip it, but let
            // the consumer move past it.
            if (last < record.offset && this.consumed.size === 0) control.resolve(record.offset);
            continue;
          }
          this.workStartedAt ??= Date.now();
          await this.processRecord(source, batch.topic, record);
          this.consumed.set(batch.topic, record.offset + 1);
          last = record.offset;
          this.consumedCount.set(batch.topic, (this.consumedCount.get(batch.topic) ?? 0) + 1);
          const after = this.afterRecord(record.timestamp);
          if (after) await after;
          if (Date.now() - this.workStartedAt >= this.o.config.commitIntervalMs) {
            await this.punctuateDueWallClock();
            await this.commit();
            control.resolve(last);
          }
        }
        await this.punctuateDueWallClock();
        await this.commit();
        if (last >= 0) control.resolve(last);
      } catch (err) {
        if (err instanceof TransactionAbortedError) {
          this.o.log.warn({ err }, 'transaction aborted: the batch will be fetched again');
          await sleep(this.o.config.abortBackoffMs);
          return;
        }
        throw await this.failed(err);
      }
      const position = last >= 0 ? last + 1 : (this.positions.get(batch.topic) ?? 0);
      this.o.metrics.lag.set(
        { task: this.taskId, topic: batch.topic, partition: String(this.partition) },
        Math.max(0, batch.highWatermark - position),
      );
    });
  }

  private async processRecord(source: SourceNode, topic: string, record: ConsumedRecord): Promise<void> {
    let key: unknown;
    let value: unknown;
    try {
      key = record.key === null ? null : deserializeWith(source.keySerde, topic, record.key);
      if (isPromise(key)) key = await key;
      value = record.value === null ? null : deserializeWith(source.valueSerde, topic, record.value);
      if (isPromise(value)) value = await value;
    } catch (err) {
      this.deadLetter(topic, record, 'SS_ERR_RUNTIME_DESERIALIZATION', err, 1);
      return;
    }
    this.current.metadata = { topic, partition: this.partition, offset: record.offset };
    this.current.timestamp = record.timestamp;
    this.current.headers = record.headers;
    const input: StreamRecord<unknown, unknown> = { key, value, timestamp: record.timestamp, headers: record.headers };
    const attempts = this.o.config.processingRetries + 1;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const mark = this.savepoint();
      try {
        await this.run(() => this.forwardFrom(source, input));
        this.releaseSavepoint();
        return;
      } catch (err) {
        this.rollback(mark);
        if (isInfrastructure(err)) throw err;
        lastError = err;
        if (attempt < attempts) this.o.metrics.processingRetries.inc({ topic });
        this.o.log.warn({ err, topic, offset: record.offset, attempt }, 'processing a record threw');
      }
    }
    this.deadLetter(topic, record, 'SS_ERR_RUNTIME_PROCESSING', lastError, attempts);
  }

  /** Runs a processing step and waits for every forward it started, failing if any failed. */
  private async run(step: () => Promise<void> | void): Promise<void> {
    this.failure = undefined;
    try {
      await step();
    } finally {
      while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    }
    const failure = this.failure as { error: unknown } | undefined;
    this.failure = undefined;
    if (failure) throw failure.error;
  }

  private async deliverAll(children: readonly string[], record: StreamRecord<unknown, unknown>): Promise<void> {
    for (const c of children) await this.deliver(c, record);
  }

  /** Runs a child: synchronously when it can (a sink with built-in serdes, a synchronous processor). */
  private deliver(child: string, record: StreamRecord<unknown, unknown>): void | Promise<void> {
    const node = this.o.topology.nodes.get(child);
    if (node?.kind === 'sink') return this.toSink(node, record);
    return this.instances.get(child)?.processor.process(record);
  }

  private toSink(sink: SinkNode, record: StreamRecord<unknown, unknown>): void | Promise<void> {
    const key = record.key == null ? null : serializeWith(sink.keySerde, sink.topic, record.key);
    const value = record.value == null ? null : serializeWith(sink.valueSerde, sink.topic, record.value);
    if (isPromise(key) || isPromise(value))
      return Promise.all([key, value]).then(([k, v]) =>
        this.buffer({ topic: sink.topic, key: k, value: v, timestamp: record.timestamp, headers: record.headers }),
      );
    this.buffer({ topic: sink.topic, key, value, timestamp: record.timestamp, headers: record.headers });
  }

  private buffer(record: OutgoingRecord): void {
    this.outputs.push(record);
    this.bufferedBytes += recordBytes(record);
  }

  private deadLetter(topic: string, record: ConsumedRecord, code: DeadLetterCode, error: unknown, attempts: number) {
    const dlq = this.o.deadLetters.get(topic);
    if (!dlq) throw new TaskCorruptedError(this.taskId, `no dead-letter topic for ${topic}`);
    const partition = dlq.keepsPartition ? this.partition : undefined;
    this.buffer(
      deadLetterRecord(
        { topic: dlq.topic, partition },
        { topic, partition: this.partition },
        record,
        code,
        error,
        attempts,
      ),
    );
    this.o.metrics.deadLetters.inc({ topic, code });
    this.o.log.warn(
      { topic, partition: this.partition, offset: record.offset, code, err: error },
      'record sent to the dead-letter topic',
    );
  }

  /** After each record: stream time, stream-time punctuators, sending outputs when enough piled up. */
  private afterRecord(timestamp: number): Promise<void> | undefined {
    if (this.streamTime === undefined || timestamp > this.streamTime) this.streamTime = timestamp;
    const due = this.schedule_.dueStreamTime(this.streamTime);
    if (due.length === 0 && this.bufferedBytes < this.o.config.maxBufferedBytes) return undefined;
    return (async () => {
      for (const p of due) await this.punctuate(p, this.streamTime!);
      if (this.bufferedBytes >= this.o.config.maxBufferedBytes) await this.sendBuffered();
    })();
  }

  // ---- punctuation ----

  private armTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state !== 'running') return;
    const next = this.schedule_.nextWallClock();
    if (next === undefined) return;
    this.timer = setTimeout(() => void this.wallClockTick(), Math.max(0, next - Date.now()));
  }

  private async wallClockTick(): Promise<void> {
    try {
      await this.lock.run(async () => {
        if (this.state !== 'running') return;
        const now = Date.now();
        const due = this.schedule_.dueWallClock(now);
        if (due.length === 0) return;
        try {
          for (const p of due) await this.punctuate(p, now);
          await this.commit();
        } catch (err) {
          if (err instanceof TransactionAbortedError) {
            this.o.log.warn({ err }, 'punctuation transaction aborted');
            return;
          }
          throw await this.failed(err);
        }
      });
    } catch (err) {
      const failure =
        err instanceof TaskMigratedError || err instanceof TaskCorruptedError
          ? err
          : new TaskCorruptedError(this.taskId, err);
      this.o.onFailure(failure);
      return;
    }
    this.armTimer();
  }

  /**
   * Wall-clock punctuators due when a batch commits run in its transaction (as Kafka Streams checks them between
   * records): under load the timer then finds nothing due, and no transaction of their own competes with batches.
   */
  private async punctuateDueWallClock(): Promise<void> {
    if (this.state !== 'running') return;
    const now = Date.now();
    for (const p of this.schedule_.dueWallClock(now)) await this.punctuate(p, now);
  }

  private async punctuate(p: Scheduled, timestamp: number): Promise<void> {
    if (p.cancelled) return;
    const saved = { ...this.current };
    this.current.metadata = undefined;
    this.current.timestamp = timestamp;
    this.current.headers = noHeaders;
    const mark = this.savepoint();
    try {
      this.workStartedAt ??= Date.now();
      await this.run(() => p.punctuator(timestamp));
      this.releaseSavepoint();
      this.o.metrics.punctuations.inc({ result: 'ok' });
    } catch (err) {
      this.rollback(mark);
      if (isInfrastructure(err)) throw err;
      this.o.metrics.punctuations.inc({ result: 'error' });
      this.o.log.error({ err, taskId: this.taskId }, 'a punctuator threw: its writes and forwards were rolled back');
    } finally {
      Object.assign(this.current, saved);
    }
  }

  // ---- savepoints (one record or punctuation) ----

  private savepoint(): { outputs: number; bytes: number } {
    for (const s of this.o.stores.values()) s.savepoint();
    return { outputs: this.outputs.length, bytes: this.bufferedBytes };
  }

  private rollback(mark: { outputs: number; bytes: number }): void {
    for (const s of this.o.stores.values()) s.rollbackToSavepoint();
    this.outputs.length = mark.outputs;
    this.bufferedBytes = mark.bytes;
  }

  private releaseSavepoint(): void {
    for (const s of this.o.stores.values()) s.releaseSavepoint();
  }

  // ---- the transaction ----

  private async begin(): Promise<void> {
    if (this.tx.state === 'transacting') return;
    this.tx.apply('begin');
    await this.o.producer.begin();
  }

  /** Sends the buffered outputs inside the open transaction (between records only). */
  private async sendBuffered(): Promise<void> {
    if (this.outputs.length === 0) return;
    try {
      await this.begin();
      await this.send(this.outputs);
    } catch (err) {
      throw await this.abortAfter(err);
    }
    this.outputs = [];
    this.bufferedBytes = 0;
  }

  /**
   * Sends records in as few requests as the send limits allow; returns, per topic-partition of the
   * records with an explicit partition (the changelog), the offset after the last one sent.
   */
  private async send(records: readonly OutgoingRecord[]): Promise<Map<string, number>> {
    const ends = new Map<string, number>();
    for (const chunk of chunkForSend(records, this.o.config.sendLimits)) {
      this.tx.apply('send');
      const results = await this.o.producer.send(chunk);
      const counts = new Map<string, number>();
      for (const r of chunk) {
        this.sentPerTopic.set(r.topic, (this.sentPerTopic.get(r.topic) ?? 0) + 1);
        if (r.partition === undefined) continue;
        const key = `${r.topic}\u0000${r.partition}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const r of results) {
        const n = counts.get(`${r.topic}\u0000${r.partition}`);
        if (n !== undefined) ends.set(`${r.topic}\u0000${r.partition}`, r.baseOffset + n);
      }
    }
    return ends;
  }

  private get hasWork(): boolean {
    if (this.tx.state === 'transacting' || this.outputs.length > 0 || this.consumed.size > 0) return true;
    for (const s of this.o.stores.values()) if (s.hasPendingWrites) return true;
    return false;
  }

  /**
   * Commits the open work: outputs, changelog, offsets in one Kafka transaction, then the store
   * write batches with their new checkpoints.
   * @throws TaskMigratedError (fenced), TaskCorruptedError (outcome unknown), TransactionAbortedError.
   */
  private async commit(): Promise<void> {
    if (!this.hasWork) return;
    const started = performance.now();
    const changelog: OutgoingRecord[] = [];
    for (const s of this.o.stores.values()) {
      for (const r of s.pendingWrites()) {
        changelog.push({
          topic: s.changelog.topic,
          partition: s.changelog.partition,
          key: r.key,
          value: r.value,
        });
      }
    }
    let ends: Map<string, number>;
    try {
      await this.begin();
      // Outputs and changelog in the same requests; the changelog's offsets come back from them.
      ends = await this.send(this.outputs.length ? [...this.outputs, ...changelog] : changelog);
      if (this.consumed.size > 0) {
        this.tx.apply('sendOffsets');
        await this.o.producer.sendOffsets(
          this.applicationId,
          [...this.consumed].map(([topic, offset]) => ({ topic, partition: this.partition, offset })),
        );
      }
    } catch (err) {
      throw await this.abortAfter(err);
    }
    try {
      this.tx.apply('commit');
      await this.o.producer.commit();
      this.tx.apply('committed');
    } catch (err) {
      if (err instanceof ProducerFencedError) throw this.fenced(err);
      // The broker may or may not have committed: only Kafka knows now, so the task restores from it.
      this.tx.apply('fail');
      this.o.metrics.commits.inc({ result: 'failed' });
      this.dropWork();
      throw new TaskCorruptedError(this.taskId, err);
    }
    try {
      for (const s of this.o.stores.values()) {
        const end = ends.get(`${s.changelog.topic}\u0000${s.changelog.partition}`);
        if (s.hasPendingWrites || end !== undefined) await s.commit(end ?? s.checkpoint);
      }
    } catch (err) {
      this.dropWork();
      throw new TaskCorruptedError(this.taskId, err);
    }
    for (const [topic, offset] of this.consumed) this.positions.set(topic, offset);
    for (const [topic, n] of this.sentPerTopic) this.o.metrics.recordsOut.inc({ topic }, n);
    for (const [topic, n] of this.consumedCount)
      this.o.metrics.recordsIn.inc({ topic, partition: String(this.partition) }, n);
    this.consumed.clear();
    this.consumedCount.clear();
    this.sentPerTopic.clear();
    this.outputs = [];
    this.bufferedBytes = 0;
    this.workStartedAt = undefined;
    this.o.metrics.commits.inc({ result: 'committed' });
    this.o.metrics.commitLatency.observe((performance.now() - started) / 1000);
  }

  /** After a failed send: abort, drop everything, rewind. Returns what the caller must throw. */
  private async abortAfter(err: unknown): Promise<RuntimeError> {
    if (err instanceof ProducerFencedError) return this.fenced(err);
    const rewindTo = new Map(this.consumed);
    this.dropWork();
    try {
      if (this.tx.state === 'transacting' || this.tx.state === 'failed') {
        this.tx.apply('abort');
        await this.o.producer.abort();
        this.tx.apply('aborted');
      }
    } catch (abortErr) {
      if (abortErr instanceof ProducerFencedError) return this.fenced(abortErr);
      if (this.tx.can('fail')) this.tx.apply('fail');
      this.o.metrics.commits.inc({ result: 'failed' });
      return new TaskCorruptedError(this.taskId, abortErr);
    }
    for (const topic of rewindTo.keys()) this.o.rewind(topic, this.positions.get(topic) ?? 0);
    this.o.metrics.commits.inc({ result: 'aborted' });
    return new TransactionAbortedError(this.taskId, err);
  }

  private fenced(err: ProducerFencedError): TaskMigratedError {
    this.tx.apply('fence');
    this.dropWork();
    this.o.metrics.commits.inc({ result: 'fenced' });
    return new TaskMigratedError(this.taskId, err);
  }

  /** Maps any failure of a batch or punctuation to what the runtime handles. */
  private async failed(err: unknown): Promise<TaskMigratedError | TaskCorruptedError> {
    if (err instanceof TaskMigratedError || err instanceof TaskCorruptedError) return err;
    if (err instanceof ProducerFencedError) return this.fenced(err);
    const mapped = await this.abortAfter(err);
    return mapped instanceof TaskMigratedError ? mapped : new TaskCorruptedError(this.taskId, err);
  }

  /** Forgets everything uncommitted: store buffers, outputs, consumed positions. */
  private dropWork(): void {
    for (const s of this.o.stores.values()) s.discard();
    this.outputs = [];
    this.bufferedBytes = 0;
    this.consumed.clear();
    this.consumedCount.clear();
    this.sentPerTopic.clear();
    this.workStartedAt = undefined;
  }

  // ---- closing ----

  /**
   * Closes the task. Clean: processors close, pending work commits, then stores and producer close.
   * Dirty (fenced, corrupted): nothing is committed; the stores keep their last committed state.
   */
  async close(clean: boolean): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    const wasRunning = this.state === 'running';
    this.state = 'closing';
    clearTimeout(this.timer);
    this.schedule_.cancelAll();
    await this.lock.run(async () => {
      if (wasRunning) {
        for (const { processor, node } of this.instances.values()) {
          try {
            await processor.close?.();
          } catch (err) {
            this.o.log.warn({ err, processor: node.name }, 'processor close() threw');
          }
        }
      }
      if (clean && this.tx.state !== 'fenced') {
        try {
          await this.commit();
        } catch (err) {
          this.o.log.warn({ err, taskId: this.taskId }, 'final commit failed: closing without it');
        }
      }
      this.dropWork();
      this.tx.apply('close');
    });
    for (const s of this.o.stores.values()) {
      try {
        await s.close();
      } catch (err) {
        this.o.log.warn({ err, store: s.name }, 'closing a store failed');
      }
    }
    await this.o.producer.close().catch((err: unknown) => this.o.log.warn({ err }, 'closing the producer failed'));
    await this.o.metrics.forgetTask(this.taskId);
    this.state = 'closed';
  }
}

/** Failures of the machinery (not of a record): they stop the task instead of going to the DLQ. */
const isInfrastructure = (err: unknown): boolean =>
  err instanceof ProducerFencedError ||
  err instanceof TaskMigratedError ||
  err instanceof TaskCorruptedError ||
  err instanceof TransactionAbortedError ||
  (err instanceof RuntimeError && err.code === 'SS_ERR_RUNTIME_STORE');
