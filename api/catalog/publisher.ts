/**
 * Publication of organizers' events on catalog.events.v1: each published event's latest revision as a full
 * CatalogEvent (key eventId, Avro through the serde), sent with the event's row locked, then marked published in the
 * same transaction.
 *
 * The event's row is its own outbox: a change commits first (version + 1), then `publish` sends it. If Kafka is
 * unavailable the change stays committed with `published_version < version`, and the relay (every few seconds, in
 * every API instance, `FOR UPDATE SKIP LOCKED` so that two instances never send the same event at once) sends it
 * later. Only the latest revision of an event is ever sent, while its row is locked, so revisions reach the
 * compacted topic in version order. A send that timed out but reached the broker is sent again: the same version
 * twice, which consumers ignore (they apply a version only above the one they hold).
 */
import { Kafka, Partitioners, logLevel, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from '../../infra/log.js';
import { definitionToAvro } from '../../processors/seat-allocation/codec.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor, type Serde } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { inTransaction, type Pool } from '../db/pool.js';
import { toDefinition } from './definition.js';
import { lockUnpublished, markPublished, type EventRecord } from './store.js';

export interface CatalogPublisherOptions {
  pool: Pool;
  log: Logger;
  brokers: string[];
  registry: RegistryClient;
  /** How often the relay looks for unpublished changes (0: never; `relay()` may still be called). */
  relayIntervalMs: number;
  /** Longest wait for Kafka to acknowledge a publication. */
  sendTimeoutMs: number;
}

const topic = topics.catalogEvents.name;

export class CatalogPublisher {
  private readonly serde: Serde<CatalogEvent>;
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private relaying: Promise<number> | undefined;
  private closed = false;

  constructor(private readonly o: CatalogPublisherOptions) {
    // Registered at deployment (npm run schemas:check): the API never registers schemas as a side effect.
    this.serde = serdeFor(topics.catalogEvents, o.registry, { autoRegister: false });
    const log = o.log;
    this.kafka = new Kafka({
      clientId: 'seatstream-api-catalog',
      brokers: o.brokers,
      connectionTimeout: 3_000,
      requestTimeout: Math.max(5_000, o.sendTimeoutMs),
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
      logLevel: logLevel.WARN,
      logCreator: () => (e: LogEntry) => {
        const { message, ...extra } = e.log;
        if (e.level === logLevel.ERROR) log.warn({ kafkajs: e.namespace, ...extra }, message);
        else log.debug({ kafkajs: e.namespace, ...extra }, message);
      },
    });
  }

  /** Starts the relay. */
  start(): void {
    if (this.o.relayIntervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.relay().catch((err: unknown) => this.o.log.warn({ err }, 'catalog relay failed; retrying later'));
    }, this.o.relayIntervalMs);
    this.timer.unref();
  }

  /**
   * Sends the event's latest revision if it is published and not on the topic yet.
   * @returns false when it could not be sent now (it stays pending for the relay)
   */
  async publish(eventId: string): Promise<boolean> {
    try {
      await inTransaction(this.o.pool, async (c) => this.send(await lockUnpublished(c, { eventId }), c));
      return true;
    } catch (err) {
      this.o.log.warn({ err, eventId }, 'publishing a catalog change failed; the relay will retry');
      return false;
    }
  }

  /** Sends pending revisions of up to `limit` events (those another instance is sending are skipped). */
  relay(limit = 50): Promise<number> {
    this.relaying ??= inTransaction(this.o.pool, async (c) => {
      const pending = await lockUnpublished(c, { limit });
      await this.send(pending, c);
      if (pending.length) this.o.log.info({ events: pending.length }, 'relayed pending catalog changes');
      return pending.length;
    }).finally(() => {
      this.relaying = undefined;
    });
    return this.relaying;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.relaying?.catch(() => undefined);
    const p = this.producer;
    this.producer = undefined;
    if (p) await p.then((producer) => producer.disconnect()).catch(() => undefined);
  }

  private async send(events: EventRecord[], c: Parameters<typeof markPublished>[0]): Promise<void> {
    if (events.length === 0) return;
    if (this.closed) throw new Error('the catalog publisher is closed');
    const messages = await Promise.all(
      events.map(async (e) => ({
        key: e.eventId,
        value: await this.serde.serialize(topic, definitionToAvro(toDefinition(e))),
      })),
    );
    const producer = await this.connected();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        producer.send({ topic, acks: -1, timeout: this.o.sendTimeoutMs, messages }),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Kafka did not acknowledge within ${this.o.sendTimeoutMs} ms`)),
            this.o.sendTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
    await markPublished(
      c,
      events.map((e) => ({ eventId: e.eventId, version: e.version })),
    );
  }

  /** The producer, connected on first use (so an API instance that publishes nothing needs no Kafka). */
  private connected(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Java-compatible murmur2, as every SeatStream producer: one event's records share a partition number across topics.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      const p = producer.connect().then(() => producer);
      this.producer = p;
      p.catch(() => {
        if (this.producer === p) this.producer = undefined;
      });
    }
    return this.producer;
  }
}
