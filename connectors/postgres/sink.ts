/**
 * The read-model sink: consumes catalog.events.v1, reservation.events.v1 and event.availability.v1 (read_committed,
 * one consumer group) and applies each fetched batch in ONE PostgreSQL transaction together with the partition's
 * next offset (`sink_offsets`). PostgreSQL, not the Kafka group, says where to resume:
 *
 * - on every partition assignment (start, restart after a crash, rebalance) each assigned partition is sought to the
 *   offset stored in PostgreSQL (its log start when there is none), and no batch is applied before those seeks are
 *   in place: a batch fetched from the group's position in the meantime is dropped (kafkajs `isStale`);
 * - inside the transaction the partition's offset row is locked and records below it are skipped, so an instance
 *   that lost the partition but still applies a batch (a zombie) and its successor cannot both apply a record;
 * - a crash anywhere rolls the transaction back: rows and offset stay together, nothing is applied twice or lost.
 *
 * Poison records (undecodable, inconsistent catalog revisions, keys that are not the event id) go to the topic's
 * dead-letter topic with the reason in headers, and are listed in `sink_dead_letters` in the same transaction; the
 * batch goes on. A batch that fails for another reason (PostgreSQL, the registry or Kafka unavailable) is retried
 * with backoff while the consumer keeps heartbeating. Dead letters are sent before the commit: after a crash between
 * the two they may be sent twice (at least once), never lost.
 *
 * The offsets are also committed to the Kafka group now and then, for lag tools only.
 */
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type pg from 'pg';
import type { Logger } from '../../infra/log.js';
import { batchTraces } from '../../infra/telemetry/kafka-headers.js';
import { inSpan, startBatchSpan } from '../../infra/telemetry/tracing.js';
import { dlqFor } from '../../topics/catalog.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { deadLetterMessage, type DeadLetter } from '../kafka-source/dead-letters.js';
import { fromKafkaMessage, partitionsOf, type SourceRecord } from '../kafka-source/records.js';
import { sleep, withHeartbeat } from '../kafka-source/retry.js';
import { createDecoder } from './decode.js';
import { sourceSpecs, type SinkInput } from './inputs.js';
import type { SinkMetrics } from './metrics.js';
import { project, type Outcome } from './projection.js';
import {
  lockOffset,
  recordRefusals,
  saveOffset,
  storedOffsets,
  tpKey,
  writePlan,
  type TopicPartition,
} from './store.js';

export interface PostgresSinkOptions {
  pool: pg.Pool;
  kafka: Kafka;
  registry: RegistryClient;
  /** The sink's name in `sink_offsets`: a read model rebuilt from scratch gets a new name. */
  consumer: string;
  groupId: string;
  log: Logger;
  metrics?: SinkMetrics;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** How often the applied offsets are also committed to the Kafka group (default 5 s). */
  kafkaCommitIntervalMs?: number;
  /** kafkajs gave up (a crash it does not restart from): the process should exit and be restarted. */
  onFatal?: (err: unknown) => void;
}

export interface PostgresSink {
  start(): Promise<void>;
  /** Finishes the batch in flight, leaves the group, disconnects. Idempotent. */
  stop(): Promise<void>;
}

const dlqNames = new Map<string, string>(sourceSpecs.map((s) => [s.name, dlqFor(s).name]));

/** Header naming who wrote a dead letter (`sink-postgres/<consumer>`), as the processors name their task. */
export const ORIGIN_HEADER = 'seatstream-origin';

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createPostgresSink(o: PostgresSinkOptions): PostgresSink {
  const { pool, log, metrics } = o;
  const sessionTimeout = o.sessionTimeoutMs ?? 30_000;
  const commitEveryMs = o.kafkaCommitIntervalMs ?? 5_000;
  const decode = createDecoder(o.registry);
  const consumer: Consumer = o.kafka.consumer({
    groupId: o.groupId,
    readUncommitted: false,
    sessionTimeout,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 10)),
    maxBytesPerPartition: o.maxBytesPerPartition ?? 1024 * 1024,
    maxWaitTimeInMs: 500,
    allowAutoTopicCreation: false,
  });
  const producer: Producer = o.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const admin = o.kafka.admin();
  let stopping = false;
  let stopped: Promise<void> | undefined;
  /** Resolves when the partitions of the latest assignment are sought to their stored offsets. */
  let assignment: Promise<void> = Promise.resolve();
  /** Applied positions of the assigned partitions, for the informational commit to the group. */
  let applied = new Map<string, TopicPartition & { next: number }>();
  let lastKafkaCommit = Date.now();

  /** Runs `fn` until it works, with backoff, unless the sink is stopping. */
  async function persist<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (stopping) throw err;
        const delayMs = Math.min(30_000, 200 * 2 ** Math.min(attempt - 1, 10));
        log.warn({ err, attempt, delayMs }, `${what} failed; retrying`);
        await sleep(delayMs);
      }
    }
  }

  async function seekToStored(tps: TopicPartition[]): Promise<void> {
    metrics?.assigned.set(tps.length);
    const stored = await persist('reading stored offsets', () => storedOffsets(pool, o.consumer, tps));
    const starts = new Map<string, number>();
    for (const topic of new Set(tps.filter((tp) => !stored.has(tpKey(tp))).map((tp) => tp.topic))) {
      const offsets = await persist(`reading the offsets of ${topic}`, () => admin.fetchTopicOffsets(topic));
      for (const p of offsets) starts.set(tpKey({ topic, partition: p.partition }), Number(p.low));
    }
    for (const tp of tps) {
      const next = stored.get(tpKey(tp)) ?? starts.get(tpKey(tp)) ?? 0;
      consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(next) });
      metrics?.nextOffset.set({ topic: tp.topic, partition: String(tp.partition) }, next);
    }
    log.info(
      { partitions: tps.length, fromPostgres: stored.size },
      'partitions assigned; sought to the offsets stored in PostgreSQL',
    );
  }

  /** One batch of one partition: decode, then one transaction with the rows, the dead letters and the offset. */
  async function apply(
    tp: TopicPartition,
    records: SourceRecord[],
    next: number,
  ): Promise<Map<Outcome | 'already_applied', number>> {
    const decoded = await Promise.all(records.map(decode));
    const client = await pool.connect();
    let failure: Error | undefined;
    // A checked-out client whose connection dies between two queries (a PostgreSQL restart) emits 'error': without a
    // listener that would end the process; the next query then fails and the batch is retried like any other failure.
    const onConnectionError = (err: Error) => {
      failure ??= err;
      log.warn({ err }, 'PostgreSQL connection failed during a batch');
    };
    client.on('error', onConnectionError);
    try {
      await client.query('BEGIN');
      const from = await lockOffset(client, o.consumer, tp);
      const inputs: SinkInput[] = [];
      const inputRecords: SourceRecord[] = [];
      const dead: DeadLetter[] = [];
      const outcomes = new Map<Outcome | 'already_applied', number>();
      const count = (k: Outcome | 'already_applied') => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      records.forEach((r, i) => {
        const d = decoded[i]!;
        if (r.offset < from) count('already_applied');
        else if (d.ok) {
          inputs.push(d.input);
          inputRecords.push(r);
        } else {
          dead.push({ record: r, code: d.code, error: d.error });
          count('refused');
        }
      });
      const { plan, refusals, outcomes: projected } = project(inputs);
      for (const x of projected) count(x);
      const byOffset = new Map(inputRecords.map((r) => [r.offset, r]));
      for (const f of refusals) dead.push({ record: byOffset.get(f.at.offset)!, code: f.code, error: f.error });
      await writePlan(client, plan);
      if (dead.length > 0) {
        await recordRefusals(
          client,
          o.consumer,
          dead.map((d) => ({ at: d.record, code: d.code, message: describe(d.error) })),
        );
        await producer.sendBatch({
          acks: -1,
          topicMessages: [
            {
              topic: dlqNames.get(tp.topic)!,
              messages: dead.map((d) => {
                const m = deadLetterMessage(d);
                return { ...m, headers: { ...m.headers, [ORIGIN_HEADER]: `sink-postgres/${o.consumer}` } };
              }),
            },
          ],
        });
        for (const d of dead)
          log.warn(
            {
              topic: d.record.topic,
              partition: d.record.partition,
              offset: d.record.offset,
              code: d.code,
              reason: describe(d.error),
            },
            'record dead-lettered',
          );
      }
      if (next > from) await saveOffset(client, o.consumer, tp, next);
      await client.query('COMMIT');
      return outcomes;
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A client whose transaction failed may have lost its connection: the pool replaces it.
      client.off('error', onConnectionError);
      client.release(failure);
    }
  }

  async function commitToKafka(force = false): Promise<void> {
    if (!force && Date.now() - lastKafkaCommit < commitEveryMs) return;
    lastKafkaCommit = Date.now();
    const offsets = [...applied.values()].map((a) => ({
      topic: a.topic,
      partition: a.partition,
      offset: String(a.next),
    }));
    if (offsets.length === 0) return;
    try {
      await consumer.commitOffsets(offsets);
    } catch (err) {
      log.debug({ err }, 'informational offset commit to the group failed');
    }
  }

  async function eachBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    await withHeartbeat(assignment, heartbeat);
    // A seek is pending: this batch was fetched from the group's position, not PostgreSQL's.
    if (stopping || !isRunning() || isStale()) return;
    const tp = { topic: batch.topic, partition: batch.partition };
    const records = batch.messages.map((m) => fromKafkaMessage(batch.topic, batch.partition, m));
    const next = Number(batch.lastOffset()) + 1;
    const started = process.hrtime.bigint();
    // The trace context of each record (the allocator's decision span...): a span for the batch linked to them, and
    // an info line naming them once the batch is applied. Batches without any (availability snapshots) log nothing.
    const { traces, traced } = batchTraces(records);
    const span =
      traced > 0
        ? startBatchSpan(
            'sink-postgres apply',
            {
              'messaging.operation.type': 'process',
              'messaging.destination.name': tp.topic,
              'messaging.batch.message_count': records.length,
            },
            traces,
          )
        : undefined;
    let outcomes: Map<string, number>;
    for (let attempt = 1; ; attempt++) {
      try {
        outcomes = await apply(tp, records, next);
        break;
      } catch (err) {
        metrics?.failures.inc();
        if (stopping || !isRunning()) {
          span?.end();
          throw err;
        }
        const delayMs = Math.min(30_000, 200 * 2 ** Math.min(attempt - 1, 10));
        log.warn(
          { err, topic: tp.topic, partition: tp.partition, attempt, delayMs },
          'applying a batch failed; retrying',
        );
        // Throws when the group rebalances: the batch is dropped, and whoever owns the partition next starts from
        // the offset in PostgreSQL.
        await heartbeat();
        await withHeartbeat(sleep(delayMs), heartbeat);
      }
    }
    resolveOffset(batch.lastOffset());
    applied.set(tpKey(tp), { ...tp, next });
    const labels = { topic: tp.topic, partition: String(tp.partition) };
    metrics?.nextOffset.set(labels, next);
    metrics?.lag.set(labels, Math.max(0, Number(batch.highWatermark) - next));
    metrics?.batches.observe(Number(process.hrtime.bigint() - started) / 1e9);
    metrics?.batchRecords.observe(records.length);
    for (const [outcome, n] of outcomes)
      metrics?.records.inc({ topic: tp.topic, outcome: outcome === 'refused' ? 'dead_lettered' : outcome }, n);
    if (span) {
      inSpan(span, () =>
        log.info(
          { topic: tp.topic, partition: tp.partition, records: records.length, next, traced, traces },
          'batch applied',
        ),
      );
      span.end();
    }
    await commitToKafka();
  }

  return {
    async start() {
      await producer.connect();
      await admin.connect();
      await consumer.connect();
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        const tps = partitionsOf(e.payload.memberAssignment);
        applied = new Map();
        // Chained: the seeks of an assignment are in place before a later assignment's.
        assignment = assignment
          .then(() => seekToStored(tps))
          .catch((err: unknown) => log.error({ err }, 'seeking to the stored offsets failed'));
      });
      consumer.on(consumer.events.CRASH, (e) => {
        log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
        if (!e.payload.restart && !stopping) o.onFatal?.(e.payload.error);
      });
      await consumer.subscribe({ topics: sourceSpecs.map((s) => s.name), fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch,
      });
    },

    stop() {
      stopped ??= (async () => {
        stopping = true;
        await consumer.disconnect();
        await producer.disconnect();
        await admin.disconnect();
      })();
      return stopped;
    },
  };
}
