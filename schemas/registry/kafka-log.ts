/**
 * The registry's only Kafka access: its log topic (`_schemas`, see log-records.ts) — create or check
 * it, append to it, read it from the beginning, know where it ends. kafkajs stays behind this file.
 *
 * Reading uses a consumer group of its own per replica (kafkajs has no manual assignment): every
 * replica must read the whole single partition, so groups are never shared, offsets never committed,
 * and the group is deleted on close.
 */
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Logger } from '../../infra/log.js';
import type { EncodedRecord } from './log-records.js';

const { Kafka, logLevel, ConfigResourceTypes, Partitioners } = kafkajs;

export interface LogEntry {
  offset: number;
  key: string | null;
  value: string | null;
}

export interface SchemasLog {
  /**
   * Creates the topic if missing (1 partition, cleanup.policy=compact, replication min(3, brokers));
   * checks an existing one.
   * @throws Error when the topic has more than one partition (ids would no longer be agreed).
   */
  ensureTopic(): Promise<void>;
  /** The offset the next appended record will get (0 for an empty log). */
  endOffset(): Promise<number>;
  /** Appends a record (acks=all, idempotent producer) and returns its offset. */
  append(record: EncodedRecord): Promise<number>;
  /** Reads the log from its first record on, in order, calling `onEntry` for each; returns once reading has started. */
  consume(onEntry: (entry: LogEntry) => void): Promise<void>;
  close(): Promise<void>;
}

export interface SchemasLogOptions {
  brokers: string[];
  topic: string;
  log: Logger;
  clientId?: string;
}

/** kafkajs logs through our pino logger. It reports errors it retries (a coordinator still loading) at ERROR: they become warnings. */
const pinoLogCreator =
  (log: Logger) =>
  () =>
  (entry: { level: number; label: string; namespace: string; log: { message: string } & Record<string, unknown> }) => {
    const { message, timestamp: _t, logger: _l, ...extra } = entry.log;
    const fields = { kafkajs: entry.namespace, ...extra };
    if (entry.level <= logLevel.WARN) log.warn(fields, message);
    else if (entry.level === logLevel.INFO) log.debug(fields, message);
    else log.trace(fields, message);
  };

export function connectSchemasLog(opts: SchemasLogOptions): SchemasLog {
  const { topic, log } = opts;
  const kafka = new Kafka({
    clientId: opts.clientId ?? 'seatstream-schema-registry',
    brokers: opts.brokers,
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(log),
  });
  const admin = kafka.admin();
  // Every record goes to partition 0 explicitly; the partitioner is named only to keep kafkajs quiet.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const groupId = `seatstream-schema-registry-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  let adminConnected: Promise<void> | undefined;
  let producerConnected: Promise<void> | undefined;
  let consuming = false;
  const connectAdmin = () => (adminConnected ??= admin.connect());

  return {
    async ensureTopic() {
      await connectAdmin();
      const existing = await admin.listTopics();
      if (!existing.includes(topic)) {
        const { brokers } = await admin.describeCluster();
        const replicationFactor = Math.min(3, brokers.length);
        const configEntries = [{ name: 'cleanup.policy', value: 'compact' }];
        if (replicationFactor >= 3) configEntries.push({ name: 'min.insync.replicas', value: '2' });
        // false when another replica created it meanwhile: that one is as good.
        const created = await admin.createTopics({
          waitForLeaders: true,
          topics: [{ topic, numPartitions: 1, replicationFactor, configEntries }],
        });
        log.info({ topic, replicationFactor, created }, 'schemas topic created');
      }
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics[0]?.partitions.length ?? 0;
      if (partitions !== 1)
        throw new Error(`topic ${topic} has ${partitions} partitions; the schema registry needs exactly 1`);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] }],
      });
      const policy =
        configs.resources[0]?.configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue ?? '';
      if (!policy.includes('compact'))
        log.warn({ topic, policy }, 'schemas topic is not compacted: old records may expire and schemas be lost');
    },

    async endOffset() {
      await connectAdmin();
      const offsets = await admin.fetchTopicOffsets(topic);
      return Number(offsets.find((p) => p.partition === 0)?.high ?? 0);
    },

    async append(record) {
      await (producerConnected ??= producer.connect());
      const [meta] = await producer.send({
        topic,
        acks: -1,
        messages: [{ partition: 0, key: record.key, value: record.value, headers: record.headers }],
      });
      if (!meta || meta.baseOffset === undefined)
        throw new Error('the broker returned no offset for the appended record');
      return Number(meta.baseOffset);
    },

    async consume(onEntry) {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      consuming = true;
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          onEntry({
            offset: Number(message.offset),
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
          });
        },
      });
    },

    async close() {
      const results = await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
      for (const r of results)
        if (r.status === 'rejected') log.warn({ err: r.reason as Error }, 'kafka client did not close cleanly');
      if (consuming) {
        try {
          await connectAdmin();
          await admin.deleteGroups([groupId]);
        } catch (err) {
          log.debug({ err, groupId }, 'could not delete the consumer group (the broker expires it)');
        }
      }
      await admin.disconnect();
    },
  };
}

/** Deletes a log topic (tests and tooling: a registry reading it loses every schema). */
export async function deleteSchemasTopic(brokers: string[], topic: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'seatstream-schema-registry-admin',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}
