/**
 * The application's consumer group on kafkajs: read_committed, no auto-commit (offsets are committed
 * by each task's transaction), batches handed to the runtime partition by partition.
 *
 * Rebalancing is eager: kafkajs has no cooperative (incremental) protocol and no "partitions
 * revoked" callback. It finishes the batches in flight before it rejoins, then reports the whole
 * new assignment (GROUP_JOIN, emitted synchronously before the first fetch), which is where the
 * runtime closes the tasks it lost and pauses the partitions of the tasks it must first open.
 */
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../../infra/log.js';
import type {
  BatchControl,
  ConsumedBatch,
  ConsumedRecord,
  GroupConsumer,
  GroupConsumerOptions,
  TopicPartition,
} from '../client.js';
import type { Headers } from '../processor.js';
import { coPartitionedAssignor } from './assignor.js';
import { retry } from './kafkajs.js';

const toRecord = (m: KafkaMessage): ConsumedRecord => ({
  offset: Number(m.offset),
  key: m.key,
  value: m.value,
  timestamp: Number(m.timestamp),
  headers: (m.headers ?? {}) as Headers,
});

const byTopic = (partitions: readonly TopicPartition[]) => {
  const out = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    const list = out.get(topic);
    if (list) list.push(partition);
    else out.set(topic, [partition]);
  }
  return [...out].map(([topic, ps]) => ({ topic, partitions: ps }));
};

export class KafkajsGroupConsumer implements GroupConsumer {
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly options: GroupConsumerOptions,
    private readonly log: Logger,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [coPartitionedAssignor(options)],
      sessionTimeout: options.sessionTimeoutMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      maxWaitTimeInMs: options.fetchMaxWaitMs,
      maxBytesPerPartition: options.maxBytesPerPartition,
      readUncommitted: false,
      retry: { ...retry, retries: 8 },
    });
  }

  async run(handlers: {
    onAssigned(assignment: TopicPartition[]): void;
    onBatch(batch: ConsumedBatch, control: BatchControl): Promise<void>;
  }): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const assignment = Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      try {
        handlers.onAssigned(assignment);
      } catch (err) {
        this.log.error({ err }, 'handling an assignment failed');
      }
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.log.error({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, isRunning, isStale, heartbeat }) => {
        await handlers.onBatch(
          {
            topic: batch.topic,
            partition: batch.partition,
            records: batch.messages.map(toRecord),
            highWatermark: Number(batch.highWatermark),
          },
          { resolve: (offset) => resolveOffset(String(offset)), isRunning, isStale, heartbeat },
        );
      },
    });
  }

  pause(partitions: readonly TopicPartition[]): void {
    if (partitions.length) this.consumer.pause(byTopic(partitions));
  }

  resume(partitions: readonly TopicPartition[]): void {
    if (partitions.length) this.consumer.resume(byTopic(partitions));
  }

  seek({ topic, partition }: TopicPartition, offset: number): void {
    this.consumer.seek({ topic, partition, offset: String(offset) });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
