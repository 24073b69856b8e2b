/**
 * The narrow boundary between the runtime and a Kafka client: everything the runtime asks of Kafka,
 * as interfaces. kafkajs (in maintenance mode) implements them in ./kafka/; a faster client can
 * replace it there without touching tasks, stores or processors.
 */
import type { TopicSpec } from '../../topics/catalog.js';
import type { Headers } from './processor.js';
import type { SendLimits } from './send-chunks.js';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumedRecord {
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: Headers;
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** The partition's high watermark when fetched (for lag). */
  highWatermark: number;
}

export interface OutgoingRecord {
  topic: string;
  /** Unset: the client's default partitioner (murmur2 of the key, as Kafka's Java client). */
  partition?: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Unset: the producer's clock (changelog records do not need the input's time). */
  timestamp?: number;
  headers?: Headers;
}

/** Where a send put the records of one partition: the first one at `baseOffset`, the rest after it. */
export interface ProduceResult {
  topic: string;
  partition: number;
  baseOffset: number;
}

/** The producer fenced (another one initialised the same transactional id with a newer epoch). */
export class ProducerFencedError extends Error {
  constructor(
    readonly transactionalId: string,
    options?: { cause?: unknown },
  ) {
    super(`producer ${transactionalId} was fenced`, options);
    this.name = 'ProducerFencedError';
  }
}

/** One task's transactional producer. Methods throw ProducerFencedError when fenced. */
export interface TransactionalProducer {
  readonly transactionalId: string;
  /**
   * initTransactions: fences every older producer with this id and completes or aborts the
   * transaction it left open. Must precede restore and reading committed offsets.
   */
  init(): Promise<void>;
  begin(): Promise<void>;
  /** Sends records in the open transaction; resolves once the broker has them (acks=all). */
  send(records: readonly OutgoingRecord[]): Promise<ProduceResult[]>;
  /** Adds the consumed positions (next offsets to read) of `groupId` to the transaction. */
  sendOffsets(groupId: string, offsets: readonly (TopicPartition & { offset: number })[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  close(): Promise<void>;
}

export interface BatchControl {
  /** Marks the records up to `offset` done: the consumer fetches after it next. */
  resolve(offset: number): void;
  /** False once the consumer is stopping: finish the current transaction and return. */
  isRunning(): boolean;
  /** True when a seek is pending for this partition: the rest of the batch is stale. */
  isStale(): boolean;
  /** Tells the group coordinator we are alive; may throw when a rebalance started. */
  heartbeat(): Promise<void>;
}

export interface GroupMemberTasks {
  memberId: string;
  /** Tasks (partition numbers) the member held before this rebalance, from its subscription. */
  previous: number[];
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  heartbeatIntervalMs: number;
  fetchMaxWaitMs: number;
  maxBytesPerPartition: number;
  /** Batches of different partitions processed at once. */
  partitionsConsumedConcurrently: number;
  /** The partitions this member owns now, sent along when it joins (sticky assignment). */
  ownedTasks(): number[];
  /** Splits task partitions among members; every source topic's partition N goes with task N. */
  assignTasks(members: GroupMemberTasks[], partitions: number): Map<string, number[]>;
}

export interface GroupConsumer {
  /**
   * Joins the group and consumes until stop(). `onAssigned` runs synchronously after every
   * (re)join, with the member's whole assignment, before anything is fetched: it must pause what
   * it is not ready for. Rebalancing is eager: the assignment replaces the previous one.
   */
  run(handlers: {
    onAssigned(assignment: TopicPartition[]): void;
    onBatch(batch: ConsumedBatch, control: BatchControl): Promise<void>;
  }): Promise<void>;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Next fetch of the partition starts at `offset`. */
  seek(partition: TopicPartition, offset: number): void;
  /** Waits for the batches being processed, then leaves the group. */
  stop(): Promise<void>;
}

export interface ChangelogRecord {
  key: Buffer;
  value: Buffer | null;
}

/** Reads changelog partitions with isolation read_committed (aborted records never show). */
export interface ChangelogReader {
  /**
   * Reads offsets [from, to) of one partition, handing each fetched batch to `apply` with the
   * offset to resume after it; resolves once the position reached `to`.
   */
  read(
    partition: TopicPartition,
    from: number,
    to: number,
    apply: (records: ChangelogRecord[], nextOffset: number) => Promise<void>,
  ): Promise<void>;
  close(): Promise<void>;
}

export interface PartitionOffsets {
  /** Log start offset. */
  low: number;
  /** Last stable offset (read_committed end of the partition). */
  high: number;
}

export interface KafkaAdmin {
  /** @throws when the topic does not exist. */
  partitionCount(topic: string): Promise<number>;
  brokerCount(): Promise<number>;
  /** Creates the topics that do not exist yet; existing ones are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  offsets(topic: string): Promise<Map<number, PartitionOffsets>>;
  /** The group's committed positions (next offsets to read); a partition without one is absent. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, number>>;
  close(): Promise<void>;
}

export interface KafkaClient {
  admin(): Promise<KafkaAdmin>;
  groupConsumer(options: GroupConsumerOptions): GroupConsumer;
  /** Started lazily; `topics` are every changelog it may be asked to read. */
  changelogReader(options: { groupId: string; topics: string[] }): ChangelogReader;
  transactionalProducer(transactionalId: string, options: { transactionTimeoutMs: number }): TransactionalProducer;
  /** The partition the default partitioner gives a key (murmur2, positive, modulo). */
  partitionFor(key: Buffer, partitions: number): number;
  /** How big produce requests should be for this client. */
  readonly sendLimits: SendLimits;
}
