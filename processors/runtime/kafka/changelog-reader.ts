/**
 * Reads changelog partitions for restore, read_committed. kafkajs has no manual assignment, so this
 * is one consumer per runtime instance in a group of its own (never committing offsets: the group
 * vanishes when it leaves), subscribed to every changelog of the application. All partitions stay
 * paused; a restore seeks one partition, resumes it until the position reaches the end it was given
 * (the last stable offset read after fencing), then pauses it again. The position counts control
 * records and aborted batches too, which kafkajs skips without calling the handler: hence progress
 * is taken from END_BATCH_PROCESS events, emitted for every fetched batch.
 */
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../../../infra/log.js';
import type { ChangelogReader, ChangelogRecord, TopicPartition } from '../client.js';
import { retry } from './kafkajs.js';

interface Restore {
  partition: TopicPartition;
  to: number;
  position: number;
  apply: (records: ChangelogRecord[], nextOffset: number) => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class KafkajsChangelogReader implements ChangelogReader {
  private consumer: Consumer | undefined;
  private starting: Promise<Consumer> | undefined;
  private readonly restores = new Map<string, Restore>();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: { groupId: string; topics: string[] },
    private readonly log: Logger,
  ) {}

  async read(
    partition: TopicPartition,
    from: number,
    to: number,
    apply: (records: ChangelogRecord[], nextOffset: number) => Promise<void>,
  ): Promise<void> {
    if (from >= to) return;
    const consumer = await this.start();
    const key = keyOf(partition.topic, partition.partition);
    if (this.restores.has(key)) throw new Error(`${partition.topic}[${partition.partition}] is already being restored`);
    await new Promise<void>((resolve, reject) => {
      this.restores.set(key, { partition, to, position: from, apply, resolve, reject });
      consumer.seek({ topic: partition.topic, partition: partition.partition, offset: String(from) });
      consumer.resume([{ topic: partition.topic, partitions: [partition.partition] }]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.restores.values()) r.reject(new Error('changelog reader closed'));
    this.restores.clear();
    const consumer = this.consumer ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    await consumer?.disconnect();
  }

  private start(): Promise<Consumer> {
    if (this.closed) return Promise.reject(new Error('changelog reader closed'));
    this.starting ??= this.connect().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async connect(): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 50,
      maxBytesPerPartition: 4 * 1024 * 1024,
      retry: { ...retry, retries: 8 },
    });
    const topics = this.options.topics;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      // Everything paused, except the partitions being restored, which restart where they were.
      consumer.pause(topics.map((topic) => ({ topic })));
      for (const r of this.restores.values()) {
        consumer.seek({ topic: r.partition.topic, partition: r.partition.partition, offset: String(r.position) });
        consumer.resume([{ topic: r.partition.topic, partitions: [r.partition.partition] }]);
      }
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, lastOffset } = event.payload;
      const r = this.restores.get(keyOf(topic, partition));
      if (!r) return;
      r.position = Math.max(r.position, Number(lastOffset) + 1);
      if (r.position >= r.to) this.finish(consumer, r);
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const r = this.restores.get(keyOf(batch.topic, batch.partition));
        if (!r) return;
        const records: ChangelogRecord[] = [];
        for (const m of batch.messages) if (m.key) records.push({ key: m.key, value: m.value });
        try {
          await r.apply(records, Number(batch.lastOffset()) + 1);
        } catch (err) {
          this.restores.delete(keyOf(batch.topic, batch.partition));
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          r.reject(err);
        }
      },
    });
    this.consumer = consumer;
    this.log.debug({ groupId: this.options.groupId }, 'changelog reader started');
    return consumer;
  }

  private finish(consumer: Consumer, r: Restore): void {
    this.restores.delete(keyOf(r.partition.topic, r.partition.partition));
    consumer.pause([{ topic: r.partition.topic, partitions: [r.partition.partition] }]);
    r.resolve();
  }
}
