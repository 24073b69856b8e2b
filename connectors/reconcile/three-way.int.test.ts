/**
 * Three-way reconciliation on the local stack, on the shared topics: a simulated on-sale (the real decider's
 * decisions, a few thousand, in Kafka transactions) is consumed by the PostgreSQL read-model sink (in this process,
 * from the end of the log) and by the ClickHouse sink (a child process, killed with SIGKILL midway and restarted).
 * Then the event log read back read_committed, PostgreSQL's holds and bookings, ClickHouse's raw table and its
 * models must agree on every figure per event and per status. Random event ids keep other tests' records out of
 * the comparison; what the test made is removed afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Partitioners } from 'kafkajs';
import { migrate as migratePostgres } from '../../api/db/migrate.js';
import { createPool, type Pool } from '../../api/db/pool.js';
import { loadEndpoints } from '../../infra/config.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { createClickhouse, type ClickHouseClient } from '../clickhouse/client.js';
import { clickhouseModelsSource, clickhouseRawSource } from '../clickhouse/figures-source.js';
import { migrate } from '../clickhouse/migrator.js';
import { count, log, startSinkProcess, waitFor, type SinkProcess } from '../clickhouse/testing/kafka-fixtures.js';
import { OnSaleSimulation, type SimulatedDecision } from '../clickhouse/testing/onsale-simulation.js';
import { createKafka } from '../kafka-source/kafka.js';
import { tpKey } from '../kafka-source/records.js';
import {
  cleanUp,
  commitGroupOffsets,
  endOffsets,
  startTestSink,
  waitApplied,
  type Positions,
} from '../postgres/testing.js';
import type { PostgresSink } from '../postgres/sink.js';
import { quoteString } from '../clickhouse/sql.js';
import { reservationLogSource } from './log-source.js';
import { postgresSource } from './postgres-source.js';
import { formatReport, reconcile } from './reconcile.js';
import { reservationFigures } from './reservation-figures.js';

describe('three-way reconciliation: event log, PostgreSQL and ClickHouse', { timeout: 600_000 }, () => {
  const id = randomUUID().slice(0, 8);
  const kafka = createKafka({ clientId: `it-three-way-${id}`, log });
  const registry = createRegistryClient(loadEndpoints().schemaRegistry);
  const database = `it_three_way_${id}`;
  const chGroup = `it-three-way-ch-${id}`;
  let pool: Pool;
  let pg: { sink: PostgresSink; consumer: string; groupId: string };
  let ch: ClickHouseClient;
  const sinks: SinkProcess[] = [];
  let sim: OnSaleSimulation;
  let decisions: SimulatedDecision[];
  let eventIds: string[];
  /** Where the shared log ended when the test began: the reconciliation reads it from there. */
  let logStart: Map<string, number>;

  const mine = () => `event_id IN (${eventIds.map(quoteString).join(', ')})`;
  const chCount = () => count(ch, `SELECT count() AS n FROM reservation_events WHERE ${mine()}`);
  const chSink = () =>
    startSinkProcess([
      '--database',
      database,
      '--group',
      chGroup,
      '--max-records',
      '300',
      '--max-wait-ms',
      '200',
      '--metrics-port',
      '0',
      '--session-timeout-ms',
      '6000',
    ]);

  async function produce(ds: SimulatedDecision[], txSize: number, pauseMs = 0) {
    const serde = serdeFor(topics.reservationEvents, registry);
    const producer = kafka.producer({
      transactionalId: `it-three-way-${id}-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    try {
      for (let i = 0; i < ds.length; i += txSize) {
        const tx = await producer.transaction();
        const messages = await Promise.all(
          ds.slice(i, i + txSize).map(async (d) => ({
            key: d.key,
            value: await serde.serialize(topics.reservationEvents.name, d.value),
            timestamp: String(d.timestamp),
          })),
        );
        await tx.send({ topic: topics.reservationEvents.name, acks: -1, messages });
        await tx.commit();
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
      }
    } finally {
      await producer.disconnect();
    }
  }

  before(async () => {
    await migratePostgres();
    pool = createPool(undefined, { statementTimeoutMs: 30_000 });
    pg = await startTestSink(pool, kafka);
    await migrate(database, { log });
    ch = createClickhouse({ database });
    // The ClickHouse sink's group starts at the end of the shared topics too.
    const ends: Positions = await endOffsets(kafka, [topics.reservationEvents.name, topics.catalogEvents.name]);
    await commitGroupOffsets(kafka, chGroup, ends);
    logStart = new Map([...ends.values()].map((p) => [tpKey(p), p.offset]));

    const start = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    sim = new OnSaleSimulation({
      seed: 77,
      onSaleAt: start,
      eventPrefix: `it-3way-${id}`,
      organizers: [`org-${id}`],
      holdDurationMs: 45_000,
      rows: 20,
      seatsPerRow: 30,
      gaCapacity: 300,
    });
    eventIds = sim.catalog.map((c) => c.eventId);
    decisions = sim.simulate(6_000, start - 1_000, 60);
    const catalogSerde = serdeFor(topics.catalogEvents, registry);
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({
      topic: topics.catalogEvents.name,
      acks: -1,
      messages: await Promise.all(
        sim.catalog.map(async (c) => ({
          key: c.eventId,
          value: await catalogSerde.serialize(topics.catalogEvents.name, c),
        })),
      ),
    });
    await producer.disconnect();
  });

  after(async () => {
    for (const s of sinks) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(sinks.map((s) => s.exited));
    await pg?.sink.stop();
    if (pool) await cleanUp(pool, kafka, { eventIds, consumers: [pg.consumer], groupIds: [pg.groupId, chGroup] });
    await pool?.end();
    await ch?.close();
    const server = createClickhouse();
    await server.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await server.close();
  });

  it('agree on every figure per event and status, after the ClickHouse sink was SIGKILLed midway and restarted', async () => {
    const half = Math.floor(decisions.length / 2);
    await produce(decisions.slice(0, half), 200);
    sinks.push(chSink());
    await waitFor('the first half in ClickHouse', chCount, (n) => n >= half, 180_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${sinks[0]!.output().slice(-3_000)}`);
    });

    const rest = produce(decisions.slice(half), 30, 10);
    await waitFor('the ClickHouse sink midway through the second half', chCount, (n) => n >= half + 200);
    sinks[0]!.child.kill('SIGKILL');
    await sinks[0]!.exited;
    await rest;
    sinks.push(chSink());

    const ends = await endOffsets(kafka, [topics.reservationEvents.name]);
    const last: Positions = new Map([...ends].map(([k, p]) => [k, { ...p, offset: p.offset - 1 }]));
    await waitApplied(pool, pg.consumer, last, 180_000);
    await waitFor('everything in ClickHouse', chCount, (n) => n >= decisions.length, 180_000);
    assert.equal(await chCount(), decisions.length, 'nothing written twice');

    const report = await reconcile([
      reservationLogSource({ kafka, registry, log, eventIds, from: logStart }),
      postgresSource(pool, { eventIds }),
      clickhouseRawSource(ch, topics.reservationEvents.name, { eventIds }),
      clickhouseModelsSource(ch, { eventIds }),
    ]);
    assert.ok(report.agree, formatReport(report));
    assert.deepEqual(report.compared, [
      'bookings',
      'decisions',
      'holds',
      'rejections',
      'replays',
      'revenue',
      'tickets',
    ]);
    // The log read back is exactly what was produced (the shared log's poison records of other tests aside);
    // PostgreSQL took part in the holds, bookings, tickets and revenue.
    const logFigures = new Map([...report.figures.log!].filter(([k]) => !k.startsWith('undecodable|')));
    assert.deepEqual(logFigures, reservationFigures(decisions.map((d) => d.value)));
    const pgFigures = report.figures.postgres!;
    const sum = (prefix: string) => [...pgFigures].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    // A few thousand holds and bookings.
    assert.ok(
      sum('holds|') + sum('bookings|') > 3_000 && sum('bookings|') > 1_000,
      `holds ${sum('holds|')}, bookings ${sum('bookings|')}`,
    );
  });
});
