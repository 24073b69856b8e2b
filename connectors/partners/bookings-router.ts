/**
 * Routes the bookings of partner channels to each partner's own topic (`partner.<id>.bookings.v1`), exactly once:
 * consume reservation.events.v1 read_committed → project the bookings whose partnerId is a live partner
 * (projections.ts, buyers pseudonymous with that partner's salt) → send them and the consumed offsets in one Kafka
 * transaction per batch → commit.
 *
 * Why not the stream runtime: a topology's sinks are fixed topics, and these topics come and go with partners.
 * The same guarantees are kept by the same means: one transactional producer per input partition
 * (`<group>-<topic>-<partition>`), so the next owner of a partition fences a zombie; offsets only move inside a
 * committed transaction; a failed batch is aborted and processed again (after a refresh of the partner directory: a
 * partner deleted meanwhile has no topic any more and is skipped).
 *
 * Records of partners that are not live (never onboarded, provisioning, deleted), or whose topic has no schema
 * subject (half-provisioned, half-deleted: one partner must not stop the others), are skipped and counted; an
 * undecodable record goes to reservation.events.v1.dlq with the reason in the runtime's dead-letter headers, inside
 * the same transaction.
 */
import kafkajs from 'kafkajs';
import type { Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from '../../infra/log.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import type { Serde } from '../../schemas/serde.js';
import { dlqFor, partnerBookingsFor, topics } from '../../topics/catalog.js';
import { dlqHeaders } from '../../processors/runtime/index.js';
import type { Serde as RuntimeSerde } from '../../processors/runtime/index.js';
import type { PartnerDirectory } from './directory.js';
import { toPartnerBooking } from './projections.js';
import { buyerRef } from './pseudonyms.js';
import type { PartnerBooking } from '../../schemas/generated/partner-booking.js';

const { Partitioners } = kafkajs;

export const BOOKINGS_ROUTER_GROUP = 'partner-bookings-router';

export interface RouterCounters {
  /** A record sent to a partner topic. */
  routed(partnerId: string): void;
  /**
   * A partner booking skipped: its partner is not live (unknown, provisioning, deleted), or live but without the
   * schema subject of its topic (half-provisioned or half-deleted: it must not stop the other partners' bookings).
   */
  skipped(partnerId: string, reason: 'not-live' | 'not-provisioned'): void;
  deadLettered(): void;
  batchFailed(): void;
}

export interface BookingsRouterOptions {
  kafka: Kafka;
  /** Decodes reservation.events.v1. */
  decisions: Serde<ReservationEvent> | RuntimeSerde<ReservationEvent>;
  /** Encodes partner bookings (the subject of each partner topic, registered at onboarding). */
  bookings: Serde<PartnerBooking>;
  directory: PartnerDirectory;
  log: Logger;
  counters?: RouterCounters;
  groupId?: string;
  transactionTimeoutMs?: number;
  /** Route only these events (tests on a shared stack); every event when unset. */
  eventFilter?: (eventId: string) => boolean;
  /** Where a new group starts: the beginning of reservation.events.v1 (default) or its end (tests). */
  fromBeginning?: boolean;
  /** kafkajs gave up (a crash it does not restart from); the process should exit and be restarted. */
  onFatal?: (err: unknown) => void;
}

const source = topics.reservationEvents.name;

export class BookingsRouter {
  private readonly groupId: string;
  private readonly consumer: Consumer;
  private readonly producers = new Map<number, Promise<Producer>>();
  private stopped = false;
  private fetched!: () => void;
  /** Resolves once the consumer has joined and fetched: its positions are set (at the end, when not from the beginning). */
  readonly ready = new Promise<void>((resolve) => (this.fetched = resolve));

  constructor(private readonly o: BookingsRouterOptions) {
    this.groupId = o.groupId ?? BOOKINGS_ROUTER_GROUP;
    this.consumer = o.kafka.consumer({ groupId: this.groupId, readUncommitted: false, sessionTimeout: 30_000 });
  }

  async start(): Promise<void> {
    const { consumer } = this;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const mine = new Set(payload.memberAssignment[source] ?? []);
      for (const p of [...this.producers.keys()]) if (!mine.has(p)) void this.dropProducer(p);
    });
    consumer.on(consumer.events.FETCH, () => this.fetched());
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && !this.stopped) this.o.onFatal?.(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic: source, fromBeginning: this.o.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer.disconnect();
    await Promise.all([...this.producers.keys()].map((p) => this.dropProducer(p)));
  }

  private producerFor(partition: number): Promise<Producer> {
    let p = this.producers.get(partition);
    if (!p) {
      p = (async () => {
        // kafkajs warns that bounded retries "may invalidate EoS": not here, a send that gives up aborts the
        // whole transaction (read_committed readers never see it). Unbounded retries would hang on the topic of a
        // partner deleted meanwhile instead of failing the batch and refreshing the directory.
        const producer = this.o.kafka.producer({
          transactionalId: `${this.groupId}-${source}-${partition}`,
          transactionTimeout: this.o.transactionTimeoutMs ?? 60_000,
          maxInFlightRequests: 1,
          idempotent: true,
          createPartitioner: Partitioners.DefaultPartitioner,
        });
        await producer.connect();
        return producer;
      })();
      this.producers.set(partition, p);
      p.catch(() => this.producers.delete(partition));
    }
    return p;
  }

  private async dropProducer(partition: number): Promise<void> {
    const p = this.producers.get(partition);
    this.producers.delete(partition);
    await (await p?.catch(() => undefined))?.disconnect();
  }

  /** The messages a batch sends, by topic. */
  private async route(batch: EachBatchPayload['batch']): Promise<Map<string, Message[]>> {
    const out = new Map<string, Message[]>();
    const add = (topic: string, m: Message) => out.set(topic, [...(out.get(topic) ?? []), m]);
    for (const m of batch.messages) {
      if (m.value === null) continue;
      let decision: ReservationEvent;
      try {
        decision = await this.o.decisions.deserialize(source, m.value);
      } catch (err) {
        if ((err as { retriable?: boolean }).retriable) throw err; // the registry is down: try the batch later
        this.o.counters?.deadLettered();
        this.o.log.warn({ partition: batch.partition, offset: m.offset, err }, 'undecodable decision dead-lettered');
        add(dlqFor(topics.reservationEvents).name, {
          key: m.key,
          value: m.value,
          partition: batch.partition,
          headers: {
            ...m.headers,
            [dlqHeaders.code]: 'SS_ERR_RUNTIME_DESERIALIZATION',
            [dlqHeaders.message]: err instanceof Error ? err.message : String(err),
            [dlqHeaders.topic]: source,
            [dlqHeaders.partition]: String(batch.partition),
            [dlqHeaders.offset]: m.offset,
            [dlqHeaders.timestamp]: m.timestamp,
          },
        });
        continue;
      }
      const partnerId = decision.partnerId?.string;
      if (!partnerId || (this.o.eventFilter && !this.o.eventFilter(decision.eventId))) continue;
      const salt = await this.o.directory.saltOf(partnerId);
      const routed = toPartnerBooking(decision, (buyerId) => (salt ? buyerRef(salt, buyerId) : ''));
      if (!routed) continue;
      if (!salt) {
        this.o.counters?.skipped(partnerId, 'not-live');
        continue;
      }
      const topic = partnerBookingsFor(partnerId).name;
      let value: Buffer;
      try {
        value = await this.o.bookings.serialize(topic, routed.booking);
      } catch (err) {
        if ((err as { code?: string }).code !== 'SS_ERR_SERDE_SCHEMA_NOT_REGISTERED') throw err;
        this.o.counters?.skipped(partnerId, 'not-provisioned');
        this.o.log.error(
          { partnerId, topic, offset: m.offset, err },
          'partner booking skipped: its topic has no subject',
        );
        continue;
      }
      add(topic, { key: m.key, value, timestamp: m.timestamp });
      this.o.counters?.routed(partnerId);
    }
    return out;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const producer = await this.producerFor(batch.partition);
    let out: Map<string, Message[]>;
    try {
      out = await this.route(batch);
    } catch (err) {
      this.o.counters?.batchFailed();
      throw err;
    }
    const tx = await producer.transaction();
    try {
      if (out.size > 0)
        await tx.sendBatch({ acks: -1, topicMessages: [...out].map(([topic, messages]) => ({ topic, messages })) });
      await tx.sendOffsets({
        consumerGroupId: this.groupId,
        topics: [{ topic: source, partitions: [{ partition: batch.partition, offset: String(Number(last) + 1) }] }],
      });
      await tx.commit();
    } catch (err) {
      this.o.counters?.batchFailed();
      await tx.abort().catch(() => undefined);
      this.o.directory.invalidate();
      // a fenced or broken producer is replaced; kafkajs processes the batch again
      await this.dropProducer(batch.partition);
      this.o.log.warn({ partition: batch.partition, err }, 'bookings batch aborted, to be processed again');
      throw err;
    }
    resolveOffset(last);
    await heartbeat();
  }
}
