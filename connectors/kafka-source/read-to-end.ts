/**
 * Reads topics read_committed from their beginning to the end they had when the read started, once, without
 * committing anything: for rebuilding a read model from the log (replay) and for reconciling a read model against
 * the log. The consumer group is throwaway (random name) and deleted afterwards.
 *
 * The end of a partition is its high watermark at the start. A read_committed reader skips transaction markers and
 * aborted records, so "reached the end" is judged on the position after each fetched batch (which counts them),
 * from kafkajs' end-of-batch events: these fire also for batches holding nothing but markers, which never reach
 * the batch handler.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../infra/log.js';
import { fromKafkaMessage, tpKey, type SourceRecord, type TopicPartition } from './records.js';

export interface PartitionRange extends TopicPartition {
  /** Where the read starts: the first offset still in the log, or the `from` position. */
  low: number;
  /** High watermark when the read started: the read stops there. */
  high: number;
}

export interface ReadProgress {
  /** Sum over partitions of (high - low): records, markers and aborted records to go through. */
  totalOffsets: number;
  /** Sum over partitions of (position - low). */
  doneOffsets: number;
  /** Records handed to onRecords so far. */
  records: number;
}

export interface ReadToEndOptions {
  kafka: Kafka;
  topics: string[];
  log: Logger;
  /** Receives the records of one fetched batch of one partition, in offset order; awaited before the next. */
  onRecords: (records: SourceRecord[]) => Promise<void>;
  onProgress?: (p: ReadProgress) => void;
  /** Prefix of the throwaway consumer group's name. */
  groupPrefix?: string;
  /** Where to start per partition (keyed by `tpKey`), instead of the log start: a read of part of a long log. */
  from?: ReadonlyMap<string, number>;
}

export async function partitionRanges(kafka: Kafka, topics: string[]): Promise<PartitionRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: PartitionRange[] = [];
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        out.push({ topic, partition: p.partition, low: Number(p.low), high: Number(p.high) });
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** Reads every record up to the end each partition had at the start; resolves with the ranges it read. */
export async function readToEnd(o: ReadToEndOptions): Promise<{ ranges: PartitionRange[]; records: number }> {
  const ranges = await partitionRanges(o.kafka, o.topics);
  const groupId = `${o.groupPrefix ?? 'read-to-end'}-${randomUUID()}`;
  const position = new Map<string, number>();
  const target = new Map<string, PartitionRange>();
  for (const r of ranges) {
    const start = Math.max(r.low, Math.min(r.high, o.from?.get(tpKey(r)) ?? r.low));
    r.low = start;
    target.set(tpKey(r), r);
    position.set(tpKey(r), start);
  }
  const totalOffsets = ranges.reduce((n, r) => n + (r.high - r.low), 0);
  let records = 0;
  const progress = (): ReadProgress => ({
    totalOffsets,
    doneOffsets: ranges.reduce((n, r) => n + (Math.min(position.get(tpKey(r)) ?? r.low, r.high) - r.low), 0),
    records,
  });
  const done = () => ranges.every((r) => (position.get(tpKey(r)) ?? r.low) >= r.high);

  if (done()) return { ranges, records };

  const consumer = o.kafka.consumer({
    groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 500,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  let finish!: () => void;
  let fail!: (err: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
    const k = tpKey(e.payload);
    if (!target.has(k)) return;
    position.set(k, Math.max(position.get(k) ?? 0, Number(e.payload.lastOffset) + 1));
    o.onProgress?.(progress());
    if (done()) finish();
  });
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) fail(e.payload.error);
  });
  if (o.from) {
    // A new group starts at the log start; move every partition to where the read begins.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      for (const r of ranges) consumer.seek({ topic: r.topic, partition: r.partition, offset: String(r.low) });
    });
  }

  await consumer.connect();
  try {
    await consumer.subscribe({ topics: o.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const r = target.get(tpKey(batch));
        if (!r) return;
        const upTo = batch.messages.filter((m) => Number(m.offset) < r.high);
        if (upTo.length === 0) return;
        const recs = upTo.map((m) => fromKafkaMessage(batch.topic, batch.partition, m));
        await o.onRecords(recs);
        records += recs.length;
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
    const admin = o.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([groupId]);
    } catch (err) {
      o.log.debug({ err, groupId }, 'could not delete the throwaway consumer group');
    } finally {
      await admin.disconnect();
    }
  }
  return { ranges, records };
}
