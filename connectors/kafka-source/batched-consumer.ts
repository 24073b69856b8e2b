/**
 * A consumer for sinks: consumes topics read_committed in a consumer group, hands records to a writer in batches
 * (by count and by time), and commits the offsets only after the writer has made the batch durable. Together with
 * the writer's own record of what it stored, that makes at-least-once delivery effectively once downstream:
 *
 * - On every partition assignment (start, restart after a crash, rebalance) it asks the writer for the highest
 *   offset already stored per partition, and drops records at or below it before they are buffered. The records
 *   between the last commit and a crash were written but not committed: they come again and are dropped here, so
 *   the writer never sees a record twice (what a downstream without transactions, ClickHouse's materialized
 *   views, needs).
 * - Poison records come back from the writer as dead letters; they go to the dead-letter topic before the offsets
 *   that skip them are committed.
 * - A failed write is retried, the whole batch, with exponential backoff, forever while running (the consumer keeps
 *   heartbeating meanwhile, and stops fetching: the buffer does not grow past one batch).
 *
 * Everything that touches the buffer's output (writes, commits, loading stored offsets after an assignment) runs
 * one at a time, so an assignment's stored offsets are read after any write in flight has landed.
 *
 * kafkajs has no "partitions revoked" callback: after a rebalance it restarts every assigned partition from its
 * committed offset, so the buffer is dropped on each new assignment (those records are fetched again).
 * Several instances may share the group; the one remaining window is a write by an instance that lost the
 * partition while its write was in flight, racing the new owner's first write — the writer's second line of
 * defence (a table deduplicated by topic/partition/offset) is there for it.
 */
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from '../../infra/log.js';
import { BatchBuffer, type FlushPolicy, type TakenBatch } from './batch-buffer.js';
import { deadLetterMessage, type DeadLetter } from './dead-letters.js';
import type { SourceMetrics } from './metrics.js';
import { fromKafkaMessage, partitionsOf, tpKey, type SourceRecord, type TopicPartition } from './records.js';
import { retrying, withHeartbeat } from './retry.js';

export interface BatchWriter {
  /**
   * The highest offset already stored downstream, per partition (keyed by `tpKey`), for the given partitions; a
   * partition without entry has nothing stored. Called on every assignment, after any write in flight finished.
   */
  storedOffsets(partitions: TopicPartition[]): Promise<Map<string, number>>;
  /**
   * Makes the records durable downstream. Records come in offset order within each partition. Resolves with the
   * records it refused as poison (they are dead-lettered); throws to have the whole batch tried again later.
   */
  write(records: SourceRecord[]): Promise<DeadLetter[]>;
}

export interface BatchedConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  writer: BatchWriter;
  policy: FlushPolicy;
  /** The dead-letter topic of a source topic (`dlqFor(spec).name`). */
  deadLetterTopic: (topic: string) => string;
  log: Logger;
  metrics?: SourceMetrics;
  /** Where a new group starts: the beginning of the topics (default) or their end. */
  fromBeginning?: boolean;
  /** On stop, how long to keep trying to write what is buffered before giving up (it is redelivered later). */
  stopTimeoutMs?: number;
  /** kafkajs gave up (a crash it does not restart from); the process should exit and be restarted. */
  onFatal?: (err: unknown) => void;
  /** Consumer tuning passed to kafkajs. */
  consumer?: {
    sessionTimeout?: number;
    heartbeatInterval?: number;
    maxWaitTimeInMs?: number;
    maxBytesPerPartition?: number;
  };
}

export interface BatchedConsumer {
  start(): Promise<void>;
  /** Writes and commits what is buffered, leaves the group, disconnects. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when every buffered record is written and committed (tests, shutdown). */
  drained(): Promise<void>;
}

/** Runs tasks one after another. */
class Lane {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const p = this.tail.then(task);
    this.tail = p.catch(() => undefined);
    return p;
  }
}

export function createBatchedConsumer(o: BatchedConsumerOptions): BatchedConsumer {
  const { log, writer, metrics } = o;
  const stopTimeoutMs = o.stopTimeoutMs ?? 30_000;
  const consumer: Consumer = o.kafka.consumer({
    groupId: o.groupId,
    readUncommitted: false,
    sessionTimeout: o.consumer?.sessionTimeout ?? 30_000,
    heartbeatInterval:
      o.consumer?.heartbeatInterval ?? Math.min(3_000, Math.floor((o.consumer?.sessionTimeout ?? 30_000) / 3)),
    maxWaitTimeInMs: o.consumer?.maxWaitTimeInMs ?? Math.min(1_000, o.policy.maxWaitMs),
    ...(o.consumer?.maxBytesPerPartition ? { maxBytesPerPartition: o.consumer.maxBytesPerPartition } : {}),
  });
  // Dead letters are at least once anyway (written before the commit that skips them); not idempotent, so that a
  // send that kafkajs gave up on can simply be retried.
  const producer: Producer = o.kafka.producer({ idempotent: false, maxInFlightRequests: 1 });
  const buffer = new BatchBuffer(o.policy);
  const lane = new Lane();
  let stored = new Map<string, number>();
  let ready: Promise<void> = Promise.resolve();
  let closing = false;
  let stopDeadline = Infinity;
  let stopping: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let flushQueued = false;

  const giveUp = () => closing && Date.now() > stopDeadline;

  async function writeAndCommit(batch: TakenBatch): Promise<void> {
    const started = process.hrtime.bigint();
    const records = batch.records;
    if (records.length > 0) {
      const dead = await retrying('writing a batch', () => writer.write(records), {
        log,
        giveUp,
        onFailure: () => metrics?.writeFailures.inc(),
      });
      if (dead.length > 0) {
        const byTopic = new Map<string, DeadLetter[]>();
        for (const d of dead) byTopic.set(d.record.topic, [...(byTopic.get(d.record.topic) ?? []), d]);
        await retrying(
          'writing dead letters',
          () =>
            producer.sendBatch({
              acks: -1,
              topicMessages: [...byTopic].map(([topic, ds]) => ({
                topic: o.deadLetterTopic(topic),
                messages: ds.map(deadLetterMessage),
              })),
            }),
          { log, giveUp },
        );
        for (const d of dead) {
          log.warn(
            {
              topic: d.record.topic,
              partition: d.record.partition,
              offset: d.record.offset,
              code: d.code,
              err: d.error,
            },
            'record dead-lettered',
          );
          metrics?.records.inc({ topic: d.record.topic, outcome: 'dead_lettered' });
        }
      }
      const deadSet = new Set(dead.map((d) => d.record));
      for (const r of records) if (!deadSet.has(r)) metrics?.records.inc({ topic: r.topic, outcome: 'written' });
      for (const r of records) {
        const k = tpKey(r);
        if (r.offset > (stored.get(k) ?? -1)) stored.set(k, r.offset);
      }
      metrics?.flushRecords.observe(records.length);
    }
    const offsets = [...batch.positions.values()].map(({ tp, next }) => ({ ...tp, offset: String(next) }));
    try {
      await consumer.commitOffsets(offsets);
      for (const c of offsets)
        metrics?.committed.set({ topic: c.topic, partition: String(c.partition) }, Number(c.offset));
    } catch (err) {
      // Written but not committed: the records come again and are skipped as already stored.
      metrics?.commitFailures.inc();
      log.warn({ err, offsets }, 'offset commit failed after a successful write');
    }
    metrics?.flushes.observe(Number(process.hrtime.bigint() - started) / 1e9);
    metrics?.lastFlush.setToCurrentTime();
  }

  /** Writes whatever is buffered when this task's turn comes. */
  const flush = (): Promise<void> =>
    lane.run(async () => {
      flushQueued = false;
      if (!buffer.pending) return;
      await writeAndCommit(buffer.take());
    });

  const loadStored = (partitions: TopicPartition[]) =>
    lane.run(async () => {
      const got = await retrying('reading stored offsets', () => writer.storedOffsets(partitions), { log, giveUp });
      stored = new Map(got);
      log.info(
        {
          partitions: partitions.length,
          stored: Object.fromEntries([...got].map(([k, v]) => [k.replace('\u0000', ':'), v])),
        },
        'partitions assigned; skipping records already stored',
      );
    });

  async function eachBatch({ batch, heartbeat }: EachBatchPayload): Promise<void> {
    await withHeartbeat(ready, heartbeat);
    if (closing) return;
    const tp = { topic: batch.topic, partition: batch.partition };
    const last = stored.get(tpKey(tp)) ?? -1;
    const records: SourceRecord[] = [];
    let skipped = 0;
    for (const m of batch.messages) {
      if (Number(m.offset) <= last) skipped++;
      else records.push(fromKafkaMessage(batch.topic, batch.partition, m));
    }
    if (skipped) metrics?.records.inc({ topic: batch.topic, outcome: 'skipped' }, skipped);
    const next = Number(batch.lastOffset()) + 1;
    metrics?.lag.set(
      { topic: batch.topic, partition: String(batch.partition) },
      Math.max(0, Number(batch.highWatermark) - next),
    );
    buffer.add(tp, records, next, Date.now());
    // Backpressure: when a batch is due, fetching waits for its write.
    if (buffer.due(Date.now())) await withHeartbeat(flush(), heartbeat);
  }

  function tick() {
    if (closing || flushQueued || !buffer.due(Date.now())) return;
    flushQueued = true;
    flush().catch((err: unknown) => log.error({ err }, 'background flush failed'));
  }

  return {
    async start() {
      await producer.connect();
      await consumer.connect();
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        // kafkajs restarts every assigned partition from its committed offset: what is buffered comes again.
        buffer.clear();
        ready = loadStored(partitionsOf(e.payload.memberAssignment));
        ready.catch(() => undefined);
      });
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        // A fetched batch of nothing but transaction markers or aborted records never reaches eachBatch: its
        // position is committed with the next write, so the group's offsets reach the end of the log.
        if (closing || e.payload.batchSize > 0) return;
        const tp = { topic: e.payload.topic, partition: e.payload.partition };
        buffer.add(tp, [], Number(e.payload.lastOffset) + 1, Date.now());
      });
      consumer.on(consumer.events.CRASH, (e) => {
        log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
        if (!e.payload.restart && !closing) o.onFatal?.(e.payload.error);
      });
      await consumer.subscribe({ topics: o.topics, fromBeginning: o.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch,
      });
      timer = setInterval(tick, Math.max(20, Math.min(250, Math.floor(o.policy.maxWaitMs / 4))));
    },

    drained: () => flush(),

    stop() {
      stopping ??= (async () => {
        closing = true;
        stopDeadline = Date.now() + stopTimeoutMs;
        if (timer) clearInterval(timer);
        try {
          await flush();
        } catch (err) {
          log.warn({ err }, 'could not write the buffered records before stopping; they will be consumed again');
        }
        await consumer.disconnect();
        await producer.disconnect();
      })();
      return stopping;
    },
  };
}
