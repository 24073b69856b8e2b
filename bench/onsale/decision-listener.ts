/**
 * Waits for the allocator's decisions on reservation.events.v1 (read_committed: a decision counts once its
 * transaction committed, as for every reader), matched to requests by requestId. Only records whose reply-to header
 * names this bench are decoded; the rest of the shared topic is skipped unread.
 */
import kafkajs from 'kafkajs';
import { REPLY_TO_HEADER } from '../../connectors/push-router/channels.js';
import { decisionFromAvro } from '../../processors/seat-allocation/codec.js';
import type { ReservationDecision } from '../../processors/seat-allocation/model.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';

const { Kafka, logLevel } = kafkajs;

/** A decision and when the allocator made it (its record's timestamp: the allocator's clock when it forwarded it). */
export interface Decided {
  decision: ReservationDecision;
  decidedAt: number;
}

export class DecisionListener {
  private readonly waiting = new Map<string, (d: Decided) => void>();
  private consumer: kafkajs.Consumer | null = null;

  constructor(
    private readonly brokers: string[],
    private readonly registry: RegistryClient,
    /** The reply-to header value of the commands whose decisions this waits for. */
    readonly replyTo: string,
    readonly groupId: string,
  ) {}

  /** Joins at the end of the topic; resolves once it is assigned every partition. */
  async start(admin: kafkajs.Admin): Promise<void> {
    const ends = await admin.fetchTopicOffsets(topics.reservationEvents.name);
    await admin.setOffsets({
      groupId: this.groupId,
      topic: topics.reservationEvents.name,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
    const kafka = new Kafka({ brokers: this.brokers, clientId: this.groupId, logLevel: logLevel.NOTHING });
    const consumer = (this.consumer = kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 50,
      sessionTimeout: 30_000,
    }));
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    const serde = serdeFor(topics.reservationEvents, this.registry, { autoRegister: false });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.reservationEvents.name, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: ends.length,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const replyTo = m.headers?.[REPLY_TO_HEADER];
          if (m.value === null || replyTo === undefined || replyTo.toString() !== this.replyTo) continue;
          const d = decisionFromAvro(await serde.deserialize(batch.topic, m.value));
          const resolve = this.waiting.get(d.meta.requestId);
          if (resolve) {
            this.waiting.delete(d.meta.requestId);
            resolve({ decision: d, decidedAt: Number(m.timestamp) });
          }
        }
      },
    });
    await joined;
  }

  /** The decision of `requestId` (register before sending the command). */
  waitFor(requestId: string, timeoutMs: number): Promise<Decided> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        reject(new Error('no decision in time'));
      }, timeoutMs);
      this.waiting.set(requestId, (d) => {
        clearTimeout(timer);
        resolve(d);
      });
    });
  }

  async stop(admin: kafkajs.Admin): Promise<void> {
    await this.consumer?.disconnect();
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
  }
}
