/** A task's transactional producer on kafkajs. */
import type { Kafka, Message, Producer, Transaction } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { OutgoingRecord, ProduceResult, TopicPartition, TransactionalProducer } from '../client.js';
import { ProducerFencedError } from '../client.js';
import { isFencedError } from './errors.js';

export class KafkajsTransactionalProducer implements TransactionalProducer {
  private readonly producer: Producer;
  private txn: Transaction | undefined;
  private connected = false;

  constructor(
    kafka: Kafka,
    readonly transactionalId: string,
    options: { transactionTimeoutMs: number },
  ) {
    this.producer = kafka.producer({
      transactionalId,
      transactionTimeout: options.transactionTimeoutMs,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  init(): Promise<void> {
    return this.guard(async () => {
      if (!this.connected) {
        await this.producer.connect();
        this.connected = true;
      }
      // kafkajs runs InitProducerId on the first transaction(); aborting an empty one costs no request.
      const t = await this.producer.transaction();
      await t.abort();
    });
  }

  begin(): Promise<void> {
    return this.guard(async () => {
      this.txn = await this.producer.transaction();
    });
  }

  /**
   * One sendBatch per topic, never one for several topics: kafkajs retries a sendBatch after a
   * retriable error (a leader that moved) by regrouping ALL its partitions under the leaders it then knows, and
   * resends those grouped under a broker that has not answered yet, successful ones included, with their sequence
   * numbers already advanced. When a partition that went through on broker A is led by broker B in the retry, the
   * broker takes the resent batch as new: the decision is in the committed transaction twice (test:chaos saw it
   * right after a broker came back). A task writes one partition per topic (its output partition, its changelog
   * partition), so one call per topic is one partition per call: a failed call is resent whole, with the sequence
   * it had, and the broker drops what it already has. A processor that fans out to several partitions of one topic
   * in one transaction still has the window (processors/runtime/README.md).
   */
  send(records: readonly OutgoingRecord[]): Promise<ProduceResult[]> {
    return this.guard(async () => {
      const byTopic = new Map<string, Message[]>();
      for (const r of records) {
        let messages = byTopic.get(r.topic);
        if (!messages) byTopic.set(r.topic, (messages = []));
        messages.push({
          key: r.key,
          value: r.value,
          partition: r.partition,
          timestamp: r.timestamp === undefined ? undefined : String(r.timestamp),
          headers: r.headers as Message['headers'],
        });
      }
      const txn = this.open();
      const results = [];
      // one after the other: concurrent AddPartitionsToTxn of one transaction is a path kafkajs does not test
      for (const [topic, messages] of byTopic)
        results.push(...(await txn.sendBatch({ topicMessages: [{ topic, messages }] })));
      return results.map((r) => ({
        topic: r.topicName,
        partition: r.partition,
        baseOffset: Number(r.baseOffset ?? -1),
      }));
    });
  }

  sendOffsets(groupId: string, offsets: readonly (TopicPartition & { offset: number })[]): Promise<void> {
    return this.guard(async () => {
      const topics = new Map<string, { partition: number; offset: string }[]>();
      for (const o of offsets) {
        let partitions = topics.get(o.topic);
        if (!partitions) topics.set(o.topic, (partitions = []));
        partitions.push({ partition: o.partition, offset: String(o.offset) });
      }
      await this.open().sendOffsets({
        consumerGroupId: groupId,
        topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
      });
    });
  }

  commit(): Promise<void> {
    return this.guard(async () => {
      const t = this.open();
      this.txn = undefined;
      await t.commit();
    });
  }

  abort(): Promise<void> {
    return this.guard(async () => {
      const t = this.txn;
      this.txn = undefined;
      if (t?.isActive()) await t.abort();
    });
  }

  async close(): Promise<void> {
    this.txn = undefined;
    if (this.connected) {
      this.connected = false;
      await this.producer.disconnect();
    }
  }

  private open(): Transaction {
    if (!this.txn) throw new Error(`${this.transactionalId}: no open transaction`);
    return this.txn;
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isFencedError(err)) throw new ProducerFencedError(this.transactionalId, { cause: err });
      throw err;
    }
  }
}
