/**
 * Helpers for the runtime's integration tests on a real broker (endpoints from infra/config.ts
 * only): topics with random names, producing input, reading topics read_committed, cleaning up.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type IHeaders } from 'kafkajs';
import { kafkaBrokers, loadEndpoints } from '../../../infra/config.js';
import { restoreGroupFor } from '../naming.js';

export const brokers = (): string[] => kafkaBrokers(loadEndpoints());

const kafka = () => new Kafka({ brokers: brokers(), clientId: 'runtime-tests', logLevel: logLevel.NOTHING });

/** Polls `check` until it returns true; rejects with `what` after `timeoutMs`. */
export const eventually = async (
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID()}`;

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

const headerText = (headers: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (v === undefined) continue;
    out[k] = (Array.isArray(v) ? v[v.length - 1]! : v).toString();
  }
  return out;
};

/** One admin connection and a list of what a test created, removed by cleanup(). */
export class TestCluster {
  private readonly topics = new Set<string>();
  private readonly groups = new Set<string>();
  private readonly appIds = new Set<string>();
  private admin: Admin | undefined;

  async connect(): Promise<this> {
    this.admin = kafka().admin();
    await this.admin.connect();
    return this;
  }

  /** Creates a topic with a random name (`prefix-<uuid>`). */
  async topic(prefix: string, partitions: number): Promise<string> {
    const name = uniqueName(prefix);
    await this.admin!.createTopics({
      topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    this.topics.add(name);
    return name;
  }

  /** A random application id whose changelogs, DLQs and groups cleanup() will delete too. */
  appId(prefix: string): string {
    const id = uniqueName(prefix);
    this.appIds.add(id);
    return id;
  }

  /** Produces records (key → partition by murmur2, like the Java client), idempotently. */
  async produce(
    topic: string,
    records: { key: string | null; value: string | Buffer | null; headers?: IHeaders; partition?: number }[],
  ): Promise<void> {
    const producer = kafka().producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      for (let i = 0; i < records.length; i += 1000) {
        await producer.send({ topic, acks: -1, messages: records.slice(i, i + 1000) });
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Starts reading a topic from the beginning, read_committed. */
  async reader(topic: string): Promise<TopicReader> {
    const groupId = uniqueName('test-reader');
    this.groups.add(groupId);
    const reader = new TopicReader(topic, groupId);
    await reader.start();
    return reader;
  }

  /** Reads a whole topic (read_committed) up to its current end. */
  async readAll(topic: string, timeoutMs = 30_000): Promise<ReadRecord[]> {
    const ends = await this.admin!.fetchTopicOffsets(topic);
    const reader = await this.reader(topic);
    try {
      await reader.waitUntil(
        () => ends.every((e) => reader.position(e.partition) >= Number(e.high)),
        timeoutMs,
        `end of ${topic}`,
      );
      return reader.records;
    } finally {
      await reader.stop();
    }
  }

  /**
   * Initialises a transactional producer with `transactionalId`, as a new owner of a task would:
   * whoever used that id before is fenced from then on.
   */
  async fence(transactionalId: string): Promise<void> {
    const producer = kafka().producer({ transactionalId, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const t = await producer.transaction();
      await t.abort();
    } finally {
      await producer.disconnect();
    }
  }

  async partitionCount(topic: string): Promise<number> {
    const { topics } = await this.admin!.fetchTopicMetadata({ topics: [topic] });
    return topics[0]!.partitions.length;
  }

  /** Deletes the topics and groups the test created, and the runtime's ones for its app ids. */
  async cleanup(): Promise<void> {
    const admin = this.admin!;
    const all = await admin.listTopics();
    const ours = all.filter(
      (t) =>
        this.topics.has(t) ||
        [...this.topics].some((s) => t === `${s}.dlq`) ||
        [...this.appIds].some((a) => t.startsWith(`${a}-`) && t.endsWith('-changelog')),
    );
    if (ours.length) await admin.deleteTopics({ topics: ours }).catch(() => undefined);
    const { groups } = await admin.listGroups();
    const groupIds = groups
      .map((g) => g.groupId)
      .filter(
        (g) => this.groups.has(g) || [...this.appIds].some((a) => g === a || g.startsWith(restoreGroupFor(a, ''))),
      );
    if (groupIds.length) await admin.deleteGroups(groupIds).catch(() => undefined);
    await admin.disconnect();
  }
}

/** A read_committed consumer collecting everything of a topic from the beginning. */
export class TopicReader {
  readonly records: ReadRecord[] = [];
  private readonly positions = new Map<number, number>();
  private consumer: Consumer | undefined;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly topic: string,
    private readonly groupId: string,
  ) {}

  async start(): Promise<void> {
    const consumer = (this.consumer = kafka().consumer({
      groupId: this.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    }));
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.positions.set(payload.partition, Math.max(this.position(payload.partition), Number(payload.lastOffset) + 1));
      this.notify();
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          this.records.push({
            topic: batch.topic,
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key?.toString() ?? null,
            value: m.value,
            headers: headerText(m.headers),
          });
        }
      },
    });
  }

  position(partition: number): number {
    return this.positions.get(partition) ?? 0;
  }

  /** Resolves once `done()` holds for what was read; rejects after `timeoutMs`. */
  waitUntil(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what} on ${this.topic} (${this.records.length} records read)`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
