/**
 * The ClickHouse side of the sink: decodes records with the Avro serde, maps them to rows (routes.ts), inserts
 * them one INSERT per table, and answers which offsets are already stored (the sink's dedupe, see
 * connectors/kafka-source/batched-consumer.ts).
 *
 * Why a stored offset is trustworthy: rows of one INSERT are sent sorted by (topic, partition, offset), and the
 * raw tables have no PARTITION BY, so an INSERT becomes one part that lands whole (or, at worst, a client that
 * dies while sending leaves a prefix of it). Either way, within a partition, everything at or below the highest
 * stored offset was stored, and the materialized views saw it exactly once.
 *
 * Poison, dead-lettered: a value the serde cannot decode (unknown schema id, corrupt bytes, incompatible schema),
 * a null value where the topic has no tombstones, a decoded value that cannot be mapped. Retried (the batch
 * throws): the registry or ClickHouse being unavailable.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../../infra/log.js';
import { batchTraces } from '../../infra/telemetry/kafka-headers.js';
import { inSpan, startBatchSpan } from '../../infra/telemetry/tracing.js';
import { SerdeError } from '../../schemas/errors.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { createAvroSerde, type Serde } from '../../schemas/serde.js';
import type { BatchWriter } from '../kafka-source/batched-consumer.js';
import type { DeadLetter } from '../kafka-source/dead-letters.js';
import { tpKey, type SourceRecord, type TopicPartition } from '../kafka-source/records.js';
import { selectRows } from './client.js';
import type { WriterMetrics } from './metrics.js';
import type { TopicRoute } from './routes.js';
import { quoteString, unsignedInteger } from './sql.js';

/** Dead-letter codes of the sink itself (serde failures keep their SS_ERR_SERDE_* code). */
export type SinkDeadLetterCode = 'SS_ERR_SINK_NULL_VALUE' | 'SS_ERR_SINK_UNMAPPABLE' | 'SS_ERR_SINK_UNKNOWN_TOPIC';

export interface ClickhouseWriterOptions {
  ch: ClickHouseClient;
  routes: TopicRoute[];
  registry: RegistryClient;
  log: Logger;
  metrics?: WriterMetrics;
}

export interface ClickhouseWriter extends BatchWriter {
  /** Rows of the records per table, and the dead letters; no IO but the registry (writer schemas, cached). */
  prepare(records: SourceRecord[]): Promise<{ rows: Map<string, Record<string, unknown>[]>; dead: DeadLetter[] }>;
}

const byCoordinates = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  (a.topic as string) < (b.topic as string)
    ? -1
    : (a.topic as string) > (b.topic as string)
      ? 1
      : (a.partition as number) - (b.partition as number) || (a.offset as number) - (b.offset as number);

export function createClickhouseWriter(o: ClickhouseWriterOptions): ClickhouseWriter {
  const routes = new Map(o.routes.map((r) => [r.topic, r]));
  const serdes = new Map<string, Serde<unknown>>(
    o.routes.map((r) => [
      r.topic,
      createAvroSerde<unknown>({ registry: o.registry, schema: r.spec.valueSchema!, autoRegister: false }),
    ]),
  );

  async function prepare(records: SourceRecord[]) {
    const rows = new Map<string, Record<string, unknown>[]>();
    const dead: DeadLetter[] = [];
    for (const record of records) {
      const route = routes.get(record.topic);
      if (!route) {
        dead.push({
          record,
          code: 'SS_ERR_SINK_UNKNOWN_TOPIC' satisfies SinkDeadLetterCode,
          error: new Error(`no route for ${record.topic}`),
        });
        continue;
      }
      if (record.value === null) {
        if (route.tombstone === 'dead-letter') {
          dead.push({
            record,
            code: 'SS_ERR_SINK_NULL_VALUE' satisfies SinkDeadLetterCode,
            error: new Error(`null value on ${record.topic}`),
          });
        }
        continue;
      }
      let value: unknown;
      try {
        value = await serdes.get(record.topic)!.deserialize(record.topic, record.value);
      } catch (err) {
        if (err instanceof SerdeError && !err.retriable) {
          dead.push({ record, code: err.code, error: err });
          continue;
        }
        throw err;
      }
      let row: Record<string, unknown>;
      try {
        row = route.toRow(
          { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp },
          value,
        );
      } catch (err) {
        dead.push({ record, code: 'SS_ERR_SINK_UNMAPPABLE' satisfies SinkDeadLetterCode, error: err });
        continue;
      }
      const list = rows.get(route.table) ?? [];
      list.push(row);
      rows.set(route.table, list);
    }
    for (const list of rows.values()) list.sort(byCoordinates);
    for (const d of dead) o.metrics?.deadLetters.inc({ topic: d.record.topic, code: d.code });
    return { rows, dead };
  }

  async function insert(table: string, values: Record<string, unknown>[]) {
    const end = o.metrics?.insertSeconds.startTimer({ table });
    await o.ch.insert({ table, values, format: 'JSONEachRow' });
    end?.();
    o.metrics?.rows.inc({ table }, values.length);
  }

  return {
    prepare,

    async write(records) {
      // A span for the batch linked to the records' trace contexts, and an info line naming them once written.
      const { traces, traced } = batchTraces(records);
      const span =
        traced > 0
          ? startBatchSpan(
              'sink-clickhouse write',
              { 'messaging.operation.type': 'process', 'messaging.batch.message_count': records.length },
              traces,
            )
          : undefined;
      try {
        const { rows, dead } = await prepare(records);
        for (const [table, values] of rows) await insert(table, values);
        if (span)
          inSpan(span, () =>
            o.log.info(
              { records: records.length, tables: [...rows.keys()], deadLetters: dead.length, traced, traces },
              'batch written',
            ),
          );
        return dead;
      } finally {
        span?.end();
      }
    },

    async storedOffsets(partitions: TopicPartition[]) {
      const out = new Map<string, number>();
      const byTopic = new Map<string, number[]>();
      for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
      for (const [topic, ps] of byTopic) {
        const route = routes.get(topic);
        if (!route || ps.length === 0) continue;
        const found = await selectRows<{ partition: number; last: string }>(
          o.ch,
          `SELECT partition, max(offset) AS last FROM ${route.table} WHERE topic = ${quoteString(topic)} AND partition IN (${ps
            .map((p) => unsignedInteger(p, 65_535))
            .join(', ')}) GROUP BY partition`,
        );
        for (const f of found) out.set(tpKey({ topic, partition: Number(f.partition) }), Number(f.last));
      }
      return out;
    },
  };
}
