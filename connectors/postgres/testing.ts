/**
 * Test support for the read-model sink on the real stack: a sink that starts at the current end of the shared
 * topics (so a test applies only what it produces, plus what others produce meanwhile), waiting for records to be
 * applied, reading a range of the log back read_committed, and removing what a test made (rows, offsets, consumer
 * groups; tombstones for its events on the compacted topics).
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import type pg from 'pg';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { topics } from '../../topics/catalog.js';
import { sleep } from '../kafka-source/retry.js';
import { sourceSpecs } from './inputs.js';
import { createPostgresSink, type PostgresSink } from './sink.js';
import { setOffsets, storedOffsets, tpKey, type TopicPartition } from './store.js';

export const testKafka = (clientId = 'seatstream-it-sink'): Kafka =>
  new Kafka({ clientId, brokers: kafkaBrokers(loadEndpoints()), logLevel: logLevel.NOTHING, retry: { retries: 8 } });

export type Positions = Map<string, TopicPartition & { offset: number }>;

/** High watermarks of every partition of the topics. */
export async function endOffsets(kafka: Kafka, topicNames: readonly string[]): Promise<Positions> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: Positions = new Map();
    for (const topic of topicNames)
      for (const p of await admin.fetchTopicOffsets(topic))
        out.set(tpKey({ topic, partition: p.partition }), { topic, partition: p.partition, offset: Number(p.high) });
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Makes `consumer` start at the current end of the source topics; answers those positions. */
export async function startAtEnd(pool: pg.Pool, kafka: Kafka, consumer: string): Promise<Positions> {
  const ends = await endOffsets(
    kafka,
    sourceSpecs.map((s) => s.name),
  );
  await setOffsets(
    pool,
    consumer,
    [...ends.values()].map((e) => ({ topic: e.topic, partition: e.partition, next: e.offset })),
  );
  return ends;
}

/** Waits (polling) until `consumer` has applied every record up to these offsets (inclusive), or throws after `timeoutMs`. */
export async function waitApplied(pool: pg.Pool, consumer: string, last: Positions, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await storedOffsets(pool, consumer);
    const behind = [...last.values()].filter((p) => (stored.get(tpKey(p)) ?? -1) <= p.offset);
    if (behind.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `not applied within ${timeoutMs} ms: ${behind.map((p) => `${tpKey(p)}@${p.offset} (stored ${stored.get(tpKey(p)) ?? 'none'})`).join(', ')}`,
      );
    await sleep(50);
  }
}

/** The last offset of each partition among produced record metadata (kafkajs RecordMetadata of sends). */
export function lastOffsets(
  sent: { topicName: string; partition: number; baseOffset?: string }[],
  counts: Map<string, number>,
  into: Positions = new Map(),
): Positions {
  for (const m of sent) {
    const tp = { topic: m.topicName, partition: m.partition };
    const last = Number(m.baseOffset) + (counts.get(tpKey(tp)) ?? 1) - 1;
    const had = into.get(tpKey(tp));
    if (!had || had.offset < last) into.set(tpKey(tp), { ...tp, offset: last });
  }
  return into;
}

export interface LoggedRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: KafkaMessage['headers'];
}

/**
 * Reads [from, to) of every given partition, read_committed (aborted records and transaction markers are not
 * returned), in offset order per partition.
 */
export async function readRange(kafka: Kafka, from: Positions, to: Positions): Promise<LoggedRecord[]> {
  const wanted = [...to.values()].filter((t) => (from.get(tpKey(t))?.offset ?? 0) < t.offset);
  if (wanted.length === 0) return [];
  const position = new Map(wanted.map((t) => [tpKey(t), from.get(tpKey(t))?.offset ?? 0]));
  const end = new Map(wanted.map((t) => [tpKey(t), t.offset]));
  const out: LoggedRecord[] = [];
  const seen = new Set<string>();
  const groupId = `it-read-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 200 });
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const done = () => [...end].every(([k, e]) => (position.get(k) ?? 0) >= e);
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    for (const [topic, partitions] of Object.entries(e.payload.memberAssignment))
      for (const partition of partitions) {
        const k = tpKey({ topic, partition });
        consumer.seek({
          topic,
          partition,
          offset: String(end.has(k) ? (from.get(k)?.offset ?? 0) : (to.get(k)?.offset ?? 0)),
        });
      }
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const k = tpKey(e.payload);
    if (!end.has(k)) return;
    position.set(k, Math.max(position.get(k) ?? 0, Number(e.payload.lastOffset) + 1));
    if (done()) finish();
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...new Set(wanted.map((w) => w.topic))], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, isStale }) => {
        if (isStale()) return;
        const k = tpKey(batch);
        const e = end.get(k);
        if (e === undefined) return;
        for (const m of batch.messages) {
          const offset = Number(m.offset);
          if (offset < (from.get(k)?.offset ?? 0) || offset >= e) continue;
          if (seen.has(`${k}@${offset}`)) continue;
          seen.add(`${k}@${offset}`);
          out.push({
            topic: batch.topic,
            partition: batch.partition,
            offset,
            key: m.key?.toString('utf8') ?? null,
            value: m.value,
            headers: m.headers,
          });
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
    await deleteGroups(kafka, [groupId]);
  }
  return out.sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition || a.offset - b.offset : a.topic < b.topic ? -1 : 1,
  );
}

/**
 * Commits a consumer group's offsets (a group with no running member), for every partition at once: one short-lived
 * member joins, commits and leaves (kafkajs' admin.setOffsets joins once per topic).
 */
export async function commitGroupOffsets(kafka: Kafka, groupId: string, to: Positions): Promise<void> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  const topicNames = [...new Set([...to.values()].map((p) => p.topic))];
  let done!: (err?: unknown) => void;
  const committed = new Promise<void>((resolve, reject) => (done = (err) => (err ? reject(err) : resolve())));
  consumer.on(consumer.events.GROUP_JOIN, () => {
    consumer
      .commitOffsets(
        [...to.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: String(p.offset) })),
      )
      .then(() => done(), done);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: topicNames });
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause(topicNames.map((topic) => ({ topic })));
    await committed;
  } finally {
    await consumer.disconnect();
  }
}

export async function deleteGroups(kafka: Kafka, groupIds: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups(groupIds).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** A sink in this process, at the end of the log, with its own consumer name and group. */
export async function startTestSink(
  pool: pg.Pool,
  kafka: Kafka,
): Promise<{ sink: PostgresSink; consumer: string; groupId: string; start: Positions }> {
  const consumer = `it-${randomUUID()}`;
  const groupId = `it-sink-${randomUUID()}`;
  const start = await startAtEnd(pool, kafka, consumer);
  const sink = createPostgresSink({
    pool,
    kafka,
    registry: createRegistryClient(loadEndpoints().schemaRegistry),
    consumer,
    groupId,
    log: logger('it.sink'),
    sessionTimeoutMs: 6_000,
  });
  await sink.start();
  return { sink, consumer, groupId, start };
}

/** Deletes what tests made for these events and sink names, and tombstones the events on the compacted topics. */
export async function cleanUp(
  pool: pg.Pool,
  kafka: Kafka,
  o: { eventIds: string[]; consumers: string[]; groupIds: string[] },
): Promise<void> {
  if (o.eventIds.length) {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (const topic of [topics.catalogEvents.name, topics.eventAvailability.name])
        await producer.send({ topic, acks: -1, messages: o.eventIds.map((key) => ({ key, value: null })) });
    } finally {
      await producer.disconnect();
    }
    for (const table of ['events', 'event_seat_maps', 'holds', 'bookings', 'availability', 'decisions', 'event_sales'])
      await pool.query(`DELETE FROM ${table} WHERE event_id = ANY($1::text[])`, [o.eventIds]);
  }
  if (o.consumers.length) {
    await pool.query('DELETE FROM sink_offsets WHERE consumer = ANY($1::text[])', [o.consumers]);
    await pool.query('DELETE FROM sink_dead_letters WHERE consumer = ANY($1::text[])', [o.consumers]);
  }
  if (o.groupIds.length) await deleteGroups(kafka, o.groupIds);
}
