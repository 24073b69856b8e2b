/**
 * Reads one partition of a topic read_committed from a given offset, keeping the records of one
 * key (an event's records on the shared catalog topics) decoded by a serde. For integration tests.
 */
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Serde } from '../../runtime/index.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

export interface ReadRecord<T> {
  offset: number;
  value: T | null;
  headers: Record<string, string>;
  timestamp: number;
}

/** The partition Kafka's default partitioner (murmur2, as the Java client) gives a key. */
export const partitionOf = (key: string, partitions: number): number =>
  Partitioners.DefaultPartitioner()({
    topic: '',
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
    })),
    message: { key, value: null },
  });

export class PartitionReader<T> {
  readonly records: ReadRecord<T>[] = [];
  readonly groupId = `it-seat-reader-${randomUUID()}`;
  /** The offset after the last record read. */
  position: number;
  private consumer: kafkajs.Consumer | undefined;
  private failure: unknown;

  constructor(
    private readonly brokers: string[],
    readonly topic: string,
    readonly partition: number,
    from: number,
    private readonly key: string,
    private readonly serde: Serde<T>,
  ) {
    this.position = from;
  }

  async start(): Promise<this> {
    const kafka = new Kafka({ brokers: this.brokers, clientId: 'seat-allocation-tests', logLevel: logLevel.NOTHING });
    const consumer = (this.consumer = kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    }));
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== this.partition) return;
        try {
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset < this.position) continue;
            if (m.key?.toString('utf8') === this.key) {
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(m.headers ?? {}))
                if (v !== undefined) headers[k] = (Array.isArray(v) ? v[v.length - 1]! : v).toString();
              this.records.push({
                offset,
                value: m.value === null ? null : await this.serde.deserialize(this.topic, m.value),
                headers,
                timestamp: Number(m.timestamp),
              });
            }
            this.position = offset + 1;
          }
        } catch (err) {
          this.failure ??= err;
        }
      },
    });
    consumer.seek({ topic: this.topic, partition: this.partition, offset: String(this.position) });
    return this;
  }

  /** Throws what decoding met, if anything. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
