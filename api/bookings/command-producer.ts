/**
 * Sends reservation commands to reservation.commands.v1: Avro in the Confluent wire format (schemas/serde.ts),
 * keyed by eventId with kafkajs' default (Java-compatible) partitioner, so a command lands in the partition of its
 * event's catalog record (co-partitioning: one allocator task holds both), with the headers `seatstream-reply-to`
 * (this replica) and `traceparent`/`tracestate` of a producer span, child of the request's (infra/telemetry).
 *
 * The producer is idempotent (acks=all, broker-side deduplication of retries) with one request in flight, the
 * setting under which kafkajs keeps sequence numbers gapless. Throughput comes from group commit instead: commands
 * that arrive while a send is in flight are sent together as the next batch, so a peak makes bigger batches, not
 * more requests. The connection is made at the first command (the API starts without Kafka) and again after a
 * failure.
 */
import { SpanKind } from '@opentelemetry/api';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from '../../infra/log.js';
import { extractTraceContext, injectTraceHeaders } from '../../infra/telemetry/kafka-headers.js';
import { withSpan } from '../../infra/telemetry/tracing.js';
import type { ReservationCommand } from '../../processors/seat-allocation/model.js';
import { commandToAvro } from '../../processors/seat-allocation/codec.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { REPLY_TO_HEADER } from '../../connectors/push-router/channels.js';
import { ApiError } from '../errors.js';

export interface CommandProducerOptions {
  kafka: () => Kafka;
  registry: () => RegistryClient;
  replicaId: string;
  /** Longest wait for the broker's acknowledgement before the request fails with 503. */
  timeoutMs: number;
  log: Logger;
}

interface Pending {
  message: { key: string; value: Buffer; headers: Record<string, string> };
  done: (err?: unknown) => void;
  /** The caller stopped waiting (503): not worth sending any more if it has not left yet. */
  abandoned: boolean;
}

/** Commands waiting for the send in flight; beyond it, requests fail at once (Kafka is not keeping up or is down). */
const MAX_QUEUED = 10_000;

export class CommandProducer {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  private queue: Pending[] = [];
  private sending = false;
  private closed = false;
  private serde: ReturnType<typeof serdeFor<typeof topics.reservationCommands>> | null = null;

  constructor(private readonly o: CommandProducerOptions) {}

  /**
   * Resolves once the broker has acknowledged the command (acks=all).
   * @param traceparent the request's trace context: the send is a producer span, its child
   * @throws ApiError SS_ERR_UNAVAILABLE when Kafka or the schema registry does not answer in time
   */
  send(command: ReservationCommand, traceparent: string): Promise<void> {
    const topic = topics.reservationCommands.name;
    return withSpan(
      `${topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': topic,
          'seatstream.request_id': command.requestId,
        },
      },
      extractTraceContext(undefined, traceparent),
      (_span, ctx) => this.sendWith(command, injectTraceHeaders(ctx, { [REPLY_TO_HEADER]: this.o.replicaId })),
    );
  }

  private async sendWith(command: ReservationCommand, headers: Record<string, string>): Promise<void> {
    if (this.closed) throw new ApiError('SS_ERR_UNAVAILABLE', 'the API is shutting down');
    if (this.queue.length >= MAX_QUEUED)
      throw new ApiError('SS_ERR_UNAVAILABLE', 'too many commands waiting for Kafka');
    let timer: NodeJS.Timeout | undefined;
    let pending: Pending | null = null;
    const work = (async () => {
      this.serde ??= serdeFor(topics.reservationCommands, this.o.registry(), { autoRegister: false });
      const value = await this.serde.serialize(topics.reservationCommands.name, commandToAvro(command));
      await new Promise<void>((resolve, reject) => {
        pending = {
          message: {
            key: command.eventId,
            value,
            headers,
          },
          done: (err) => (err === undefined ? resolve() : reject(err)),
          abandoned: false,
        };
        this.queue.push(pending);
        this.pump();
      });
    })();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ApiError('SS_ERR_UNAVAILABLE', 'Kafka did not acknowledge the command in time')),
        this.o.timeoutMs,
      );
    });
    try {
      await Promise.race([work, timeout]);
    } catch (err) {
      work.catch(() => undefined);
      if (pending) (pending as Pending).abandoned = true;
      if (err instanceof ApiError) throw err;
      this.o.log.warn({ err, requestId: command.requestId }, 'a command could not be sent');
      throw new ApiError('SS_ERR_UNAVAILABLE', 'the command could not be sent; retry with the same Idempotency-Key');
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.producer ?? (await this.connecting?.catch(() => null)) ?? null;
    this.producer = null;
    if (p) await p.disconnect().catch(() => undefined);
  }

  private pump(): void {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.filter((p) => !p.abandoned);
    this.queue = [];
    if (batch.length === 0) {
      this.sending = false;
      return;
    }
    this.sendBatch(batch).finally(() => {
      this.sending = false;
      this.pump();
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    try {
      const producer = await this.connected();
      await producer.send({ topic: topics.reservationCommands.name, acks: -1, messages: batch.map((p) => p.message) });
      for (const p of batch) p.done();
    } catch (err) {
      for (const p of batch) p.done(err ?? new Error('send failed'));
    }
  }

  private connected(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    if (!this.connecting) {
      const p = this.o.kafka().producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
        // An idempotent producer retries until it succeeds (kafkajs warns about fewer); the request's own timeout
        // bounds what the client waits.
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 1_000 },
      });
      this.connecting = p.connect().then(
        () => {
          this.producer = p;
          this.connecting = null;
          return p;
        },
        (err: unknown) => {
          this.connecting = null;
          throw err;
        },
      );
    }
    return this.connecting;
  }
}
