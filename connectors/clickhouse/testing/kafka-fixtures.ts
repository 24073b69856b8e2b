/**
 * What the analytics integration tests share: throwaway topics (random names, with their dead-letter topics) on
 * the broker of `loadEndpoints()`, records produced with the real serde in Kafka transactions, a sink run as a
 * child process (so it can be killed with SIGKILL), ClickHouse polling, and cleanup of all of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import { loadEndpoints, repoRoot } from '../../../infra/config.js';
import { logger } from '../../../infra/log.js';
import type { CatalogEvent } from '../../../schemas/generated/catalog-event.js';
import { createRegistryClient, type RegistryClient } from '../../../schemas/registry-client.js';
import { serdeFor } from '../../../schemas/serde.js';
import { dlqFor, topics, valueSubject, type TopicSpec } from '../../../topics/catalog.js';
import { createKafka } from '../../kafka-source/kafka.js';
import { readToEnd } from '../../kafka-source/read-to-end.js';
import { sleep } from '../../kafka-source/retry.js';
import { createClickhouse, selectRows, type ClickHouseClient } from '../client.js';
import type { SimulatedDecision } from './onsale-simulation.js';

export const log = logger('analytics-test');

export interface TestWorld {
  kafka: Kafka;
  registry: RegistryClient;
  id: string;
  reservations: string;
  catalog: string;
  partitions: number;
  /** A ClickHouse client without default database. */
  server: ClickHouseClient;
  cleanup(): Promise<void>;
  /** Remembers a database or consumer group to drop at cleanup. */
  own(what: { database?: string; group?: string }): void;
}

export async function createWorld(partitions = 4): Promise<TestWorld> {
  const id = randomUUID().slice(0, 8);
  const kafka = createKafka({ clientId: `it-analytics-${id}`, log });
  const registry = createRegistryClient(loadEndpoints().schemaRegistry);
  const reservations = `it-analytics-res-${id}`;
  const catalog = `it-analytics-cat-${id}`;
  // Topic configs as the catalog has them (retention above all: the audit log is kept forever, and simulated
  // records may be older than the broker's default retention).
  const specs: TopicSpec[] = [
    { ...topics.reservationEvents, name: reservations },
    { ...topics.catalogEvents, name: catalog },
  ];
  const all = [...specs, ...specs.map(dlqFor)];
  const names = all.map((s) => s.name);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: all.map((spec) => ({
      topic: spec.name,
      numPartitions: partitions,
      replicationFactor: 1,
      configEntries: [
        { name: 'cleanup.policy', value: spec.cleanupPolicy },
        ...(spec.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(spec.retentionMs) }]),
      ],
    })),
  });
  await admin.disconnect();
  const server = createClickhouse();
  const databases = new Set<string>();
  const groups = new Set<string>();
  return {
    kafka,
    registry,
    id,
    reservations,
    catalog,
    partitions,
    server,
    own(what) {
      if (what.database) databases.add(what.database);
      if (what.group) groups.add(what.group);
    },
    async cleanup() {
      for (const db of databases) await server.command({ query: `DROP DATABASE IF EXISTS ${db}` });
      await server.close();
      const a = kafka.admin();
      await a.connect();
      try {
        if (groups.size) await a.deleteGroups([...groups]).catch(() => undefined);
        await a.deleteTopics({ topics: names });
      } finally {
        await a.disconnect();
      }
      for (const t of [reservations, catalog]) await registry.deleteSubject(valueSubject(t)).catch(() => undefined);
    },
  };
}

export async function produceCatalog(w: TestWorld, events: CatalogEvent[]): Promise<void> {
  const serde = serdeFor(topics.catalogEvents, w.registry);
  const producer = w.kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const messages = await Promise.all(
      events.map(async (e) => ({ key: e.eventId, value: await serde.serialize(w.catalog, e) })),
    );
    await producer.send({ topic: w.catalog, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

export interface ProduceResult {
  committed: SimulatedDecision[];
}

/**
 * Produces decisions in Kafka transactions of `txSize` records, keyed by event id (the catalog's partitioner), with
 * the simulated record timestamps. `abort` decisions are sent in a transaction that is aborted; `poison` values
 * (raw bytes) are committed among the first transaction's records.
 */
export async function produceDecisions(
  w: TestWorld,
  decisions: SimulatedDecision[],
  o: { txSize?: number; pauseMs?: number; abort?: SimulatedDecision[]; poison?: { key: string; value: Buffer }[] } = {},
): Promise<ProduceResult> {
  const serde = serdeFor(topics.reservationEvents, w.registry);
  const producer = w.kafka.producer({
    transactionalId: `it-analytics-${w.id}-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const toMessage = async (d: SimulatedDecision): Promise<Message> => ({
    key: d.key,
    value: await serde.serialize(w.reservations, d.value),
    timestamp: String(d.timestamp),
  });
  await producer.connect();
  try {
    const txSize = o.txSize ?? 200;
    for (let i = 0; i < decisions.length; i += txSize) {
      const tx = await producer.transaction();
      const messages = await Promise.all(decisions.slice(i, i + txSize).map(toMessage));
      if (i === 0 && o.poison)
        messages.splice(Math.floor(messages.length / 2), 0, ...o.poison.map((p) => ({ key: p.key, value: p.value })));
      await tx.send({ topic: w.reservations, acks: -1, messages });
      await tx.commit();
      if (i === 0 && o.abort?.length) {
        const ghost = await producer.transaction();
        await ghost.send({ topic: w.reservations, acks: -1, messages: await Promise.all(o.abort.map(toMessage)) });
        await ghost.abort();
      }
      if (o.pauseMs) await sleep(o.pauseMs);
    }
  } finally {
    await producer.disconnect();
  }
  return { committed: decisions };
}

/** The sink as a child process (`npm run sink:clickhouse` with options); its output is kept for assertions. */
export interface SinkProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startSinkProcess(args: string[]): SinkProcess {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'connectors/clickhouse/main.ts', ...args], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: 'info', NODE_TEST_CONTEXT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Polls `probe` until `done` holds for its value; fails after `timeoutMs` with the last value. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 90_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!done(last)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}`);
    await sleep(200);
    last = await probe();
  }
  return last;
}

export async function count(ch: ClickHouseClient, query: string): Promise<number> {
  const rows = await selectRows<{ n: string }>(ch, query);
  return Number(rows[0]?.n ?? 0);
}

/** Committed offsets of a group per partition, and the topic's high watermarks. */
export async function groupCaughtUp(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return ends.every((e) => {
      const c = committed?.partitions.find((p) => p.partition === e.partition);
      return Number(e.high) === 0 || (c !== undefined && Number(c.offset) >= Number(e.high));
    });
  } finally {
    await admin.disconnect();
  }
}

/** Every record of a topic (keys and headers as text). */
export async function readAll(
  kafka: Kafka,
  topic: string,
): Promise<{ key: string | null; headers: Record<string, string> }[]> {
  const out: { key: string | null; headers: Record<string, string> }[] = [];
  await readToEnd({
    kafka,
    topics: [topic],
    log,
    groupPrefix: 'it-read',
    onRecords: async (rs) => {
      for (const r of rs)
        out.push({
          key: r.key?.toString() ?? null,
          headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()])),
        });
    },
  });
  return out;
}
