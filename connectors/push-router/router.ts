/**
 * The push router: reads reservation.events.v1 and event.availability.v1 once per deployment (one consumer group,
 * scaled by partitions) and publishes each record on the Redis channels routing.ts names. API replicas subscribe
 * only to the channels of their waiting requests and of their WebSocket clients' topics, so no replica reads every
 * decision.
 *
 * Delivery is at least once and live-only: a batch is published, then its offsets are committed (a crash between
 * the two publishes it again; clients drop a snapshot whose version they have, a decision whose request id they
 * have); records older than `maxAgeMs` are skipped (after a long stop, clients resynchronise from the read models,
 * nobody wants a burst of stale pushes); a new group starts at the end of the topics. Reads are read_committed
 * (kafkajs' default), so a decision of an aborted allocator transaction is never pushed.
 */
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Logger } from '../../infra/log.js';
import { availabilityView } from '../../processors/seat-allocation/availabilityView.js';
import { availabilityFromAvro, decisionFromAvro } from '../../processors/seat-allocation/codec.js';
import { ORIGIN_HEADER } from '../../processors/seat-allocation/processor.js';
import { SerdeError } from '../../schemas/errors.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { REPLY_TO_HEADER, type Channels } from './channels.js';
import type { PushRouterMetrics } from './metrics.js';
import { routeAvailability, routeDecision, type Publication } from './routing.js';

export interface PushRouterOptions {
  kafka: Kafka;
  /** A Redis connection for PUBLISH (not one in subscriber mode). */
  redis: Redis;
  registry: RegistryClient;
  channels: Channels;
  groupId: string;
  /** Skip records older than this (by their Kafka timestamp). */
  maxAgeMs: number;
  /**
   * Only route records written by this seat-allocation application (the `<applicationId>/` prefix of the origin
   * header); null routes every record. Useful when a shadow allocator (a test, a canary) writes the same topics.
   */
  originApplicationId: string | null;
  /** Partitions processed at once by this instance. */
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
  log: Logger;
  metrics?: PushRouterMetrics;
  now?: () => number;
}

const headerText = (headers: IHeaders | undefined, name: string): string | null => {
  const v = headers?.[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? null : last.toString();
};

export class PushRouter {
  private readonly consumer: Consumer;
  private readonly decisions;
  private readonly snapshots;
  private readonly now: () => number;
  private joined: Promise<void>;
  private crashed: ((err: Error) => void) | null = null;

  constructor(private readonly o: PushRouterOptions) {
    this.now = o.now ?? Date.now;
    this.decisions = serdeFor(topics.reservationEvents, o.registry, { autoRegister: false });
    this.snapshots = serdeFor(topics.eventAvailability, o.registry, { autoRegister: false });
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(o.sessionTimeoutMs / 10)),
      maxWaitTimeInMs: 250,
      retry: { retries: 10 },
    });
    this.joined = new Promise((resolve) => {
      const off = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        off();
        resolve();
      });
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      const err = e.payload.error;
      o.log.error({ err, restart: e.payload.restart }, 'push router consumer crashed');
      if (!e.payload.restart) this.crashed?.(err);
    });
  }

  /** Subscribes and runs; resolves once the group has been joined (assignment done). */
  async start(onFatal?: (err: Error) => void): Promise<void> {
    this.crashed = onFatal ?? null;
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [topics.reservationEvents.name, topics.eventAvailability.name],
      fromBeginning: false,
    });
    await this.consumer.run({
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
    await this.joined;
    this.o.log.info({ groupId: this.o.groupId }, 'push router running');
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const publications: Publication[] = [];
    const oldest = this.now() - this.o.maxAgeMs;
    let stale = 0;
    for (const message of batch.messages) {
      if (Number(message.timestamp) < oldest) {
        stale++;
        continue;
      }
      publications.push(...(await this.route(batch.topic, message)));
    }
    if (!isRunning() || isStale()) return;
    if (publications.length) await this.publish(publications);
    this.o.metrics?.observe(batch.topic, batch.messages, stale, publications.length, this.now());
    resolveOffset(batch.lastOffset());
    await heartbeat();
  }

  private async route(topic: string, message: KafkaMessage): Promise<Publication[]> {
    if (message.value === null) return []; // an availability tombstone (the event was deleted): nothing to push
    if (this.o.originApplicationId !== null) {
      const origin = headerText(message.headers, ORIGIN_HEADER);
      if (origin === null || !origin.startsWith(`${this.o.originApplicationId}/`)) return [];
    }
    try {
      if (topic === topics.reservationEvents.name) {
        const decision = decisionFromAvro(await this.decisions.deserialize(topic, message.value));
        return routeDecision(this.o.channels, decision, headerText(message.headers, REPLY_TO_HEADER));
      }
      const snapshot = availabilityFromAvro(await this.snapshots.deserialize(topic, message.value));
      return routeAvailability(this.o.channels, availabilityView(snapshot));
    } catch (err) {
      // A registry outage is retried (the batch fails, kafkajs restarts it); a poison record is only skipped: the
      // router is no system of record (the allocator and the sinks dead-letter what they cannot read).
      if (err instanceof SerdeError && err.retriable) throw err;
      this.o.metrics?.undecodable.inc({ topic });
      this.o.log.warn({ err, topic, offset: message.offset }, 'record skipped: it does not decode');
      return [];
    }
  }

  private async publish(publications: Publication[]): Promise<void> {
    const pipeline = this.o.redis.pipeline();
    for (const p of publications) pipeline.publish(p.channel, p.payload);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed) throw failed[0]!;
  }
}
