/**
 * Throughput of the analytics path on the local stack (2 shared cores here: read the numbers as orders of
 * magnitude): `node --import tsx connectors/clickhouse/sink.bench.ts [decisions]` (default 50,000).
 *
 * 1. produces a simulated on-sale (the real decider's decisions) to a throwaway topic, in transactions of 2,000;
 * 2. the ClickHouse sink (in process, fresh database) consumes it from the beginning: records per second from
 *    start to the last row stored, materialized views included;
 * 3. clickhouse:replay rebuilds it into another fresh database: records per second;
 * 4. each dashboard query over all events and a day: median of 5 runs.
 * Everything it made is removed at the end.
 */
import { Registry } from 'prom-client';
import { loadQueries, renderQuery } from '../../dashboards/queries.js';
import { createClickhouse, selectRows } from './client.js';
import { migrate } from './migrator.js';
import { replay } from './replayer.js';
import { createClickhouseSink } from './sink.js';
import { count, createWorld, log, produceCatalog, produceDecisions } from './testing/kafka-fixtures.js';
import { OnSaleSimulation } from './testing/onsale-simulation.js';

const wanted = Number(process.argv[2] ?? 50_000);
const w = await createWorld(4);
const db = `bench_ch_${w.id}`;
const db2 = `${db}_replay`;
w.own({ database: db, group: `bench-ch-${w.id}` });
w.own({ database: db2 });
const sec = (ms: number) => (ms / 1000).toFixed(1);
try {
  const start = Date.now() - 6 * 3_600_000;
  const sim = new OnSaleSimulation({
    seed: 1,
    onSaleAt: start,
    eventPrefix: `bench-${w.id}`,
    buyers: 3_000,
    rows: 40,
    seatsPerRow: 50,
    gaCapacity: 2_000,
    holdDurationMs: 120_000,
  });
  const decisions = sim.simulate(wanted, start, Math.floor((5 * 3_600_000) / wanted));
  await produceCatalog(w, sim.catalog);
  let t = Date.now();
  await produceDecisions(w, decisions, { txSize: 2_000 });
  console.log(`produced ${decisions.length} decisions in ${sec(Date.now() - t)} s`);

  await migrate(db, { log });
  const ch = createClickhouse({ database: db });
  const sink = createClickhouseSink({
    database: db,
    groupId: `bench-ch-${w.id}`,
    topics: { reservationEvents: w.reservations, catalogEvents: w.catalog },
    metrics: new Registry(),
    log,
  });
  t = Date.now();
  await sink.start();
  while ((await count(ch, 'SELECT count() AS n FROM reservation_events')) < decisions.length)
    await new Promise((r) => setTimeout(r, 100));
  const sinkMs = Date.now() - t;
  await sink.stop();
  console.log(
    `sink: ${decisions.length} records in ${sec(sinkMs)} s = ${Math.round(decisions.length / (sinkMs / 1000))} records/s (group join included)`,
  );

  const r = await replay({ database: db2, reservationTopic: w.reservations, catalogTopic: w.catalog });
  console.log(
    `replay: ${r.records} records in ${sec(r.elapsedMs)} s = ${Math.round(r.records / (r.elapsedMs / 1000))} records/s`,
  );

  const values = {
    event_ids: sim.catalog.map((c) => c.eventId),
    from: Math.floor(start / 1000),
    to: Math.floor(Date.now() / 1000),
    step: 300,
    organizer_id: '',
  };
  for (const q of loadQueries().values()) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await selectRows(ch, renderQuery(q, values));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`query ${q.name}: ${times[2]!.toFixed(1)} ms (median of 5)`);
  }
  await ch.close();
} finally {
  await w.cleanup();
}
process.exit(0);
