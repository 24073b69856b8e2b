/**
 * The checkout read-model sink: payment.results.v1 → PostgreSQL (checkouts, tickets), at least once with idempotent
 * writes (checkout-store.ts): a batch is written in one PostgreSQL transaction, then its offsets are committed to
 * Kafka; a crash in between delivers the batch again, which changes nothing.
 */
import kafkajs from 'kafkajs';
import type pg from 'pg';
import type { KeyObject } from 'node:crypto';
import type { Logger } from '../../infra/log.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { resultFromAvro } from '../payments/codec.js';
import { applyCheckoutSteps, type CheckoutStep } from './checkout-store.js';

export interface CheckoutSinkOptions {
  brokers: string[];
  groupId?: string;
  pool: pg.Pool;
  registry: RegistryClient;
  signingKey: KeyObject;
  log: Logger;
  fromBeginning?: boolean;
}

export class CheckoutSink {
  private readonly consumer: kafkajs.Consumer;
  private readonly serde;

  constructor(private readonly o: CheckoutSinkOptions) {
    const kafka = new kafkajs.Kafka({ brokers: o.brokers, clientId: 'checkout-sink', logLevel: kafkajs.logLevel.WARN });
    this.consumer = kafka.consumer({
      groupId: o.groupId ?? 'checkout-read-model',
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    this.serde = serdeFor(topics.paymentResults, o.registry, { autoRegister: false });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: topics.paymentResults.name, fromBeginning: this.o.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const steps: CheckoutStep[] = [];
        for (const m of batch.messages) {
          if (!m.value) continue;
          try {
            steps.push(resultFromAvro(await this.serde.deserialize(batch.topic, m.value)));
          } catch (err) {
            this.o.log.error(
              { err, offset: m.offset, partition: batch.partition },
              'undecodable payment result skipped',
            );
          }
        }
        const client = await this.o.pool.connect();
        try {
          await client.query('BEGIN');
          await applyCheckoutSteps(client, this.o.signingKey, steps);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err; // kafkajs retries the batch
        } finally {
          client.release();
        }
        const last = batch.messages.at(-1);
        if (last)
          await this.consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(BigInt(last.offset) + 1n) },
          ]);
        await heartbeat();
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
