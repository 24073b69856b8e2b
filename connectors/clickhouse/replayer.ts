/**
 * Rebuilds the analytics from the whole log into a
 * fresh ClickHouse database: creates it, applies the migrations, then reads reservation.events.v1 and
 * catalog.events.v1 read_committed from the beginning to their end at the start, through the same decoding and
 * row mapping as the sink, with a progress bar on stderr (records, rate, time left).
 *
 * Use it for a new model that needs history, or to repair a database; then point the dashboards and the sink at
 * it (CLICKHOUSE_DATABASE; the sink's consumer group for a new database starts from the beginning too, and skips
 * what the replay stored). Refuses an existing database unless --replace (which drops it first).
 * The command is replay.ts.
 */
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { createKafka } from '../kafka-source/kafka.js';
import { readToEnd, type ReadProgress } from '../kafka-source/read-to-end.js';
import type { SourceRecord } from '../kafka-source/records.js';
import { createClickhouse, selectRows } from './client.js';
import { migrate } from './migrator.js';
import { sinkRoutes } from './routes.js';
import { identifier, quoteString } from './sql.js';
import { createClickhouseWriter } from './writer.js';

export interface ReplayOptions {
  database: string;
  replace?: boolean;
  reservationTopic?: string;
  catalogTopic?: string;
  batchRecords?: number;
  onProgress?: (p: ReadProgress, elapsedMs: number) => void;
}

export interface ReplayResult {
  database: string;
  records: number;
  deadLetters: number;
  elapsedMs: number;
}

export async function replay(o: ReplayOptions): Promise<ReplayResult> {
  const log = logger('clickhouse-replay');
  const database = identifier(o.database);
  const server = createClickhouse();
  try {
    const exists = await selectRows<{ n: string }>(
      server,
      `SELECT count() AS n FROM system.databases WHERE name = ${quoteString(database)}`,
    );
    if (Number(exists[0]?.n ?? 0) > 0) {
      if (!o.replace) throw new Error(`database ${database} exists; pass --replace to drop and rebuild it`);
      await server.command({ query: `DROP DATABASE ${database}` });
    }
  } finally {
    await server.close();
  }
  await migrate(database, { log });

  const ch = createClickhouse({ database });
  const routes = sinkRoutes({
    ...(o.reservationTopic ? { reservationEvents: o.reservationTopic } : {}),
    ...(o.catalogTopic ? { catalogEvents: o.catalogTopic } : {}),
  });
  const writer = createClickhouseWriter({
    ch,
    routes,
    registry: createRegistryClient(loadEndpoints().schemaRegistry),
    log,
  });
  const batchRecords = o.batchRecords ?? 20_000;
  const started = Date.now();
  let pending: SourceRecord[] = [];
  let deadLetters = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const dead = await writer.write(batch);
    for (const d of dead) {
      log.warn(
        { topic: d.record.topic, partition: d.record.partition, offset: d.record.offset, code: d.code },
        'record not replayed (poison)',
      );
    }
    deadLetters += dead.length;
  };
  try {
    const { records } = await readToEnd({
      kafka: createKafka({ clientId: 'clickhouse-replay', log }),
      topics: routes.map((r) => r.topic),
      log,
      groupPrefix: 'clickhouse-replay',
      onRecords: async (recs) => {
        pending.push(...recs);
        if (pending.length >= batchRecords) await flush();
      },
      onProgress: (p) => o.onProgress?.(p, Date.now() - started),
    });
    await flush();
    return { database, records, deadLetters, elapsedMs: Date.now() - started };
  } finally {
    await ch.close();
  }
}
