/**
 * The contract between the runtime and the code it runs, after Kafka Streams' Processor API
 * (org.apache.kafka.streams.processor.api): a Processor is init/process/close; everything else it
 * needs — forwarding, state stores, punctuation, the record's metadata — comes through its context.
 * Nothing here is Kafka-specific: processors never see a client, a producer or an offset commit.
 */
import type { KeyValueStore } from './state/key-value-store.js';

export type HeaderValue = Buffer | string;
/** Record headers, as in Kafka: a name may repeat, hence the arrays. */
export type Headers = Readonly<Record<string, HeaderValue | HeaderValue[] | undefined>>;

/** A record flowing through a topology (Kafka Streams' `Record`). */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Milliseconds since the epoch; a forwarded record keeps its input's timestamp unless it sets one. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Where the record being processed came from. Offsets are plain numbers: exact up to 2^53. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * 'wall-clock': fires every interval of real time, whether records arrive or not (hold expiry).
 * 'stream-time': fires when the largest record timestamp seen by the task has advanced by an interval.
 */
export type PunctuationType = 'wall-clock' | 'stream-time';

/** Called with the time it fires at (wall-clock) or the stream time that triggered it (stream-time). */
export type Punctuator = (timestamp: number) => void | Promise<void>;

export interface Cancellable {
  cancel(): void;
}

export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  /** `<subtopology>_<partition>`, as in Kafka Streams: `0_3` is the task of input partition 3. */
  readonly taskId: string;
  /** Metadata of the record being processed; undefined inside a punctuator. */
  readonly recordMetadata: RecordMetadata | undefined;
  readonly topic: string | undefined;
  readonly partition: number;
  readonly offset: number | undefined;
  /** The current record's timestamp, or the punctuation time inside a punctuator. */
  readonly timestamp: number;
  /** The current record's headers (empty inside a punctuator). */
  readonly headers: Headers;

  /**
   * Sends a record to this processor's children (or only to `childName`). Children run before it
   * resolves (depth first, as in Kafka Streams); the runtime also awaits forwards a processor forgot
   * to await before it moves to the next record.
   * @throws UnknownNodeError when `childName` is not a child of this processor.
   */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): Promise<void>;
  /**
   * Sends a record straight to a sink of this processor, named by the sink's name or its topic.
   * The timestamp is the current one.
   */
  forward(sink: string, key: unknown, value: unknown, headers?: Headers): Promise<void>;

  /**
   * A state store connected to this processor. Writes are part of the task's current transaction:
   * they become visible to later reads at once, and durable (RocksDB + changelog) at commit.
   * @throws UnknownStoreError when the store is not connected to this processor.
   */
  store<K, V>(name: string): KeyValueStore<K, V>;

  /** Schedules a punctuator for this task; its forwards and store writes join the task's transactions. */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
}

export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  /** Called once per task before the first record, after the task's stores are restored. */
  init?(context: ProcessorContext<KOut, VOut>): void | Promise<void>;
  /**
   * Processes one record. A throw rolls back its store writes and forwards; the record is retried a
   * few times, then goes to the dead-letter topic of its source.
   */
  process(record: StreamRecord<KIn, VIn>): void | Promise<void>;
  /** Called when the task closes (revocation, shutdown); stores are still open. */
  close?(): void | Promise<void>;
}

/** A new Processor instance per task: processors hold per-task state (their context, cached stores). */
export type ProcessorSupplier<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> = () => Processor<
  KIn,
  VIn,
  KOut,
  VOut
>;
