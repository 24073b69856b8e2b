/**
 * The ClickHouse sink: reservation.events.v1 (and catalog.events.v1 for the events dimension) into ClickHouse,
 * effectively once. The consumer side (batching, commit after write, dedupe on assignment, dead letters) is
 * connectors/kafka-source; the ClickHouse side (decode, rows, inserts, stored offsets) is writer.ts.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadEndpoints } from '../../infra/config.js';
import { logger as componentLogger, type Logger } from '../../infra/log.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { dlqFor, topics } from '../../topics/catalog.js';
import { createBatchedConsumer, type BatchedConsumer } from '../kafka-source/batched-consumer.js';
import type { FlushPolicy } from '../kafka-source/batch-buffer.js';
import { createKafka } from '../kafka-source/kafka.js';
import { createSourceMetrics } from '../kafka-source/metrics.js';
import { createClickhouse, type ClickHouseClient } from './client.js';
import { analyticsDatabase } from './config.js';
import { createWriterMetrics } from './metrics.js';
import { sinkRoutes, type RouteTopics } from './routes.js';
import { createClickhouseWriter } from './writer.js';

export const defaultSinkGroup = 'clickhouse-sink';

export interface ClickhouseSinkOptions {
  database?: string;
  groupId?: string;
  /** Topic names to consume instead of the catalog's (tests). */
  topics?: RouteTopics;
  policy?: Partial<FlushPolicy>;
  /** Kafka session timeout: how long the partitions of a crashed instance wait before going to another (30 s). */
  sessionTimeoutMs?: number;
  log?: Logger;
  /** Metrics registry; a new one with the process metrics by default. */
  metrics?: Registry;
  onFatal?: (err: unknown) => void;
}

export interface ClickhouseSink {
  readonly metrics: Registry;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createClickhouseSink(o: ClickhouseSinkOptions = {}): ClickhouseSink {
  const log = o.log ?? componentLogger('clickhouse-sink');
  const endpoints = loadEndpoints();
  const database = o.database ?? analyticsDatabase();
  const registry = o.metrics ?? new Registry();
  if (!o.metrics) collectDefaultMetrics({ register: registry });
  const routes = sinkRoutes(o.topics);
  const dlqNames = new Map(routes.map((r) => [r.topic, dlqFor({ ...r.spec, name: r.topic }).name]));
  let ch: ClickHouseClient | undefined;
  let consumer: BatchedConsumer | undefined;

  return {
    metrics: registry,
    async start() {
      ch = createClickhouse({ database });
      const writer = createClickhouseWriter({
        ch,
        routes,
        registry: createRegistryClient(endpoints.schemaRegistry),
        log,
        metrics: createWriterMetrics(registry),
      });
      consumer = createBatchedConsumer({
        kafka: createKafka({ clientId: 'clickhouse-sink', log }),
        groupId: o.groupId ?? defaultSinkGroup,
        topics: routes.map((r) => r.topic),
        writer,
        policy: { maxRecords: o.policy?.maxRecords ?? 5_000, maxWaitMs: o.policy?.maxWaitMs ?? 1_000 },
        deadLetterTopic: (topic) => dlqNames.get(topic) ?? dlqFor({ ...topics.reservationEvents, name: topic }).name,
        log,
        metrics: createSourceMetrics(registry),
        consumer: { sessionTimeout: o.sessionTimeoutMs ?? 30_000 },
        ...(o.onFatal ? { onFatal: o.onFatal } : {}),
      });
      await consumer.start();
      log.info(
        { database, topics: routes.map((r) => r.topic), group: o.groupId ?? defaultSinkGroup },
        'ClickHouse sink started',
      );
    },
    async stop() {
      await consumer?.stop();
      await ch?.close();
      log.info('ClickHouse sink stopped');
    },
  };
}
