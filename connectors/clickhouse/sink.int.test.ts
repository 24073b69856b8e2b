/**
 * The ClickHouse sink end to end, on the real broker, schema registry and ClickHouse 18.16 of the local stack: a
 * simulated on-sale of a few thousand decisions (made by the real seat-allocation decider, written with the real
 * serde in Kafka transactions, one of them aborted, two poison records among them) goes through the sink, which
 * is killed with SIGKILL midway and restarted; then the whole log is redelivered to it; then replayed into a fresh
 * database. After each step the log (read_committed), the raw table and the models must reconcile exactly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { migrate } from './migrator.js';
import { createClickhouse, selectRows, type ClickHouseClient } from './client.js';
import { clickhouseModelsSource, clickhouseRawSource } from './figures-source.js';
import { dateTimeText, reservationEventRow } from './rows.js';
import { replay } from './replayer.js';
import { OnSaleSimulation, type SimulatedDecision } from './testing/onsale-simulation.js';
import {
  count,
  createWorld,
  groupCaughtUp,
  log,
  produceCatalog,
  produceDecisions,
  readAll,
  startSinkProcess,
  waitFor,
  type SinkProcess,
  type TestWorld,
} from './testing/kafka-fixtures.js';
import { formatReport, reconcile } from '../reconcile/reconcile.js';
import { reservationLogSource } from '../reconcile/log-source.js';
import { reservationFigures } from '../reconcile/reservation-figures.js';
import { deadLetterHeaders } from '../kafka-source/dead-letters.js';

/** The sale opens at the start of the last hour: recent, like a running on-sale. */
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;

describe('ClickHouse sink: effectively once from Kafka into ClickHouse 18.16', () => {
  let w: TestWorld;
  let db: string;
  let group: string;
  let ch: ClickHouseClient;
  let all: SimulatedDecision[];
  let phaseA: SimulatedDecision[];
  let phaseB: SimulatedDecision[];
  let sim: OnSaleSimulation;
  const sinks: SinkProcess[] = [];

  const sinkArgs = (extra: string[] = []) => [
    '--database',
    db,
    '--group',
    group,
    '--reservation-topic',
    w.reservations,
    '--catalog-topic',
    w.catalog,
    '--max-records',
    '400',
    '--max-wait-ms',
    '250',
    '--metrics-port',
    '0',
    '--session-timeout-ms',
    '6000',
    ...extra,
  ];
  const rawCount = () => count(ch, `SELECT count() AS n FROM reservation_events`);
  const reconcileAll = () =>
    reconcile([
      reservationLogSource({ kafka: w.kafka, registry: w.registry, log, topic: w.reservations }),
      clickhouseRawSource(ch, w.reservations),
      clickhouseModelsSource(ch),
    ]);

  before(async () => {
    w = await createWorld(4);
    db = `it_analytics_${w.id}`;
    group = `it-analytics-sink-${w.id}`;
    w.own({ database: db, group });
    await migrate(db, { log });
    ch = createClickhouse({ database: db });
    sim = new OnSaleSimulation({
      seed: 2026,
      onSaleAt: T0,
      eventPrefix: `it-${w.id}`,
      organizers: [`org-a-${w.id}`, `org-b-${w.id}`],
      holdDurationMs: 30_000,
    });
    all = sim.simulate(4_000, T0 - 1_500, 30);
    phaseA = all.slice(0, Math.floor(all.length * 0.6));
    phaseB = all.slice(phaseA.length);
    const ghosts = new OnSaleSimulation({ seed: 1, onSaleAt: T0, eventPrefix: `ghost-${w.id}` }).simulate(60, T0);
    await produceCatalog(w, sim.catalog);
    await produceDecisions(w, phaseA, {
      abort: ghosts,
      poison: [
        { key: `it-${w.id}-1`, value: Buffer.from('not avro at all') },
        { key: `it-${w.id}-2`, value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 2, 4, 6]) },
      ],
    });
  });

  after(async () => {
    for (const s of sinks) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(sinks.map((s) => s.exited));
    await ch?.close();
    await w?.cleanup();
  });

  it('writes every committed decision once; aborted and poison records do not reach the tables, poison goes to the DLQ', async () => {
    const s = startSinkProcess(sinkArgs());
    sinks.push(s);
    await waitFor('phase A in ClickHouse', rawCount, (n) => n >= phaseA.length);
    assert.equal(await rawCount(), phaseA.length);
    assert.equal(await count(ch, `SELECT count() AS n FROM reservation_events FINAL`), phaseA.length);
    assert.equal(await count(ch, `SELECT count() AS n FROM reservation_events WHERE event_id LIKE 'ghost-%'`), 0);

    const events = await waitFor(
      'the events dimension',
      () =>
        selectRows<{ event_id: string; organizer_id: string }>(
          ch,
          `SELECT event_id, organizer_id FROM events FINAL ORDER BY event_id`,
        ),
      (rows) => rows.length >= sim.catalog.length,
    );
    assert.deepEqual(
      events.map((e) => [e.event_id, e.organizer_id]),
      sim.catalog.map((c) => [c.eventId, c.organizerId]),
    );

    const dlq = await waitFor(
      'two dead letters',
      () => readAll(w.kafka, `${w.reservations}.dlq`),
      (r) => r.length >= 2,
    );
    assert.deepEqual(dlq.map((d) => d.headers[deadLetterHeaders.code]).sort(), [
      'SS_ERR_SERDE_MAGIC_BYTE',
      'SS_ERR_SERDE_UNKNOWN_SCHEMA_ID',
    ]);
    for (const d of dlq) assert.equal(d.headers[deadLetterHeaders.topic], w.reservations);
  });

  it('loses and doubles nothing when killed with SIGKILL midway and restarted: log, raw table and models reconcile', async () => {
    const producing = produceDecisions(w, phaseB, { txSize: 40, pauseMs: 15 });
    await waitFor('the sink midway through phase B', rawCount, (n) => n >= phaseA.length + 300);
    const first = sinks[0]!;
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    await producing;

    const second = startSinkProcess(sinkArgs());
    sinks.push(second);
    await waitFor('everything in ClickHouse', rawCount, (n) => n >= all.length);
    await waitFor('the group committed to the end', () => groupCaughtUp(w.kafka, group, w.reservations), Boolean);
    assert.equal(await rawCount(), all.length, 'no duplicate reached the table');
    assert.match(second.output(), /partitions assigned; skipping records already stored/);

    const report = await reconcileAll();
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
    // the log read through Kafka is exactly the simulation's committed decisions
    assert.deepEqual(
      report.figures.log,
      new Map([...reservationFigures(all.map((d) => d.value)), [`undecodable|${w.reservations}`, 2]]),
    );
    const modelsVsLog = await reconcile([
      {
        name: 'simulation',
        measures: ['holds', 'bookings', 'tickets', 'revenue'],
        read: async () => reservationFigures(all.map((d) => d.value)),
      },
      clickhouseModelsSource(ch),
    ]);
    assert.ok(modelsVsLog.agree, formatReport(modelsVsLog));
    const fig = report.figures['clickhouse-models']!;
    const total = (prefix: string) => [...fig].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
    assert.ok(
      total('decisions|') > 3_000 && total('holds|') > 500 && total('bookings|') > 200,
      'a few thousand holds and bookings',
    );
  });

  it('skips a redelivery of the whole log: nothing is written twice, nothing is dead-lettered twice', async () => {
    const second = sinks[1]!;
    second.child.kill('SIGTERM');
    assert.equal((await second.exited).code, 0, second.output().slice(-2_000));
    const admin = w.kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: group, topic: w.reservations, earliest: true });
    await admin.disconnect();

    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const third = startSinkProcess(sinkArgs(['--metrics-port', String(port)]));
    sinks.push(third);
    await waitFor('the group committed to the end again', () => groupCaughtUp(w.kafka, group, w.reservations), Boolean);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const skipped = Number(
      /seatstream_source_records_total\{topic="[^"]+",outcome="skipped"\} (\d+)/.exec(
        metrics.replace(/topic="it-analytics-cat[^"]*"/g, 'x'),
      )?.[1],
    );
    assert.equal(skipped, all.length + 2, 'every record, poison ones included, was skipped');
    assert.equal(await rawCount(), all.length);
    const report = await reconcileAll();
    assert.ok(report.agree, formatReport(report));
    assert.equal((await readAll(w.kafka, `${w.reservations}.dlq`)).length, 2);
  });

  it('the models give the figures computed independently from the decisions', async () => {
    // The decisions as rows (rows.ts is unit-tested), aggregated here in TypeScript, against the SQL views.
    const rows = all
      .map((d, i) =>
        reservationEventRow({ topic: w.reservations, partition: 0, offset: i, timestamp: d.timestamp }, d.value),
      )
      .filter((r) => r.replay === 0);
    const minute = (ms: number) =>
      dateTimeText(Math.floor(ms / 60_000) * 60_000)
        .slice(0, 19)
        .replace('T', ' ');
    const bump = <K>(m: Map<K, number[]>, k: K, ...xs: number[]) => {
      const v = m.get(k) ?? xs.map(() => 0);
      xs.forEach((x, i) => (v[i]! += x));
      m.set(k, v);
    };

    // sales per minute per event
    const expectedSales = new Map<string, number[]>();
    for (const r of rows) {
      if (r.decision === 'SeatsHeld') bump(expectedSales, `${r.event_id} ${minute(r.occurred_at_ms)}`, 1, 0, 0);
      if (r.decision === 'BookingConfirmed')
        bump(expectedSales, `${r.event_id} ${minute(r.occurred_at_ms)}`, 0, r.seats, r.total_minor);
    }
    const sales = await selectRows<{ k: string; holds: string; seats: string; revenue: string }>(
      ch,
      `SELECT concat(event_id, ' ', toString(minute)) AS k, sum(holds) AS holds, sum(booked_seats) AS seats, sum(revenue_minor) AS revenue
       FROM sales_per_minute GROUP BY k HAVING holds > 0 OR seats > 0 ORDER BY k`,
    );
    assert.deepEqual(
      new Map(sales.map((r) => [r.k, [Number(r.holds), Number(r.seats), Number(r.revenue)]])),
      expectedSales,
    );

    // decision latency: count, sum and max per event and decision type; quantiles within [min, max]
    const lat = new Map<string, number[]>();
    for (const r of rows)
      lat.set(`${r.event_id} ${r.decision}`, [
        ...(lat.get(`${r.event_id} ${r.decision}`) ?? []),
        r.decision_latency_ms,
      ]);
    const latency = await selectRows<{ k: string; n: string; total: string; mx: string; q: number[] }>(
      ch,
      `SELECT concat(event_id, ' ', decision) AS k, countMerge(decisions) AS n, sumMerge(latency_sum_ms) AS total,
              maxMerge(latency_max_ms) AS mx, quantilesTimingMerge(0.5, 0.9, 0.99)(latency_ms) AS q
       FROM decision_latency_per_minute GROUP BY k ORDER BY k`,
    );
    assert.equal(latency.length, lat.size);
    for (const r of latency) {
      const xs = lat.get(r.k)!;
      assert.deepEqual(
        [Number(r.n), Number(r.total), Number(r.mx)],
        [xs.length, xs.reduce((a, b) => a + b, 0), Math.max(...xs)],
        r.k,
      );
      for (const q of r.q) assert.ok(q >= Math.min(...xs) && q <= Math.max(...xs), `${r.k} quantile ${q}`);
    }

    // time from hold to booking, per booking
    const heldAt = new Map<string, number>();
    const holdToBooking: number[] = [];
    for (const r of rows) {
      if (r.decision === 'SeatsHeld') heldAt.set(r.hold_id, r.occurred_at_ms);
      if (r.decision === 'BookingConfirmed') holdToBooking.push(r.occurred_at_ms - heldAt.get(r.hold_id)!);
    }
    const [h2b] = await selectRows<{ n: string; lo: string; hi: string; total: string }>(
      ch,
      `SELECT count() AS n, min(dt) AS lo, max(dt) AS hi, sum(dt) AS total FROM (
         SELECT maxMerge(booked_at_ms) - maxMerge(held_at_ms) AS dt FROM hold_outcomes GROUP BY event_id, hold_id HAVING maxMerge(booked_at_ms) > 0)`,
    );
    assert.ok(holdToBooking.length > 100);
    assert.deepEqual(
      [Number(h2b!.n), Number(h2b!.lo), Number(h2b!.hi), Number(h2b!.total)],
      [
        holdToBooking.length,
        Math.min(...holdToBooking),
        Math.max(...holdToBooking),
        holdToBooking.reduce((a, b) => a + b, 0),
      ],
    );

    // tickets and revenue per price category, net of cancelled bookings
    const cancelled = new Set(rows.filter((r) => r.decision === 'BookingCancelled').map((r) => r.hold_id));
    const perCategory = new Map<string, number[]>();
    for (const r of rows) {
      if (r.decision !== 'BookingConfirmed' || cancelled.has(r.hold_id)) continue;
      r.line_category.forEach((c, i) =>
        bump(perCategory, `${r.event_id} ${c}`, r.line_quantity[i]!, r.line_amount_minor[i]!),
      );
    }
    const revenue = await selectRows<{ k: string; tickets: string; amount: string }>(
      ch,
      `SELECT concat(event_id, ' ', price_category_id) AS k, sum(quantity) AS tickets, sum(amount_minor) AS amount
       FROM booking_lines FINAL
       WHERE (event_id, hold_id) NOT IN (SELECT event_id, hold_id FROM hold_outcomes GROUP BY event_id, hold_id HAVING maxMerge(cancelled_at_ms) > 0)
       GROUP BY k ORDER BY k`,
    );
    assert.deepEqual(new Map(revenue.map((r) => [r.k, [Number(r.tickets), Number(r.amount)]])), perCategory);
  });

  it('clickhouse:replay rebuilds an identical database from the log', async () => {
    const db2 = `${db}_replay`;
    w.own({ database: db2 });
    const seen: number[] = [];
    const r = await replay({
      database: db2,
      reservationTopic: w.reservations,
      catalogTopic: w.catalog,
      batchRecords: 1_000,
      onProgress: (p) => seen.push(p.doneOffsets / p.totalOffsets),
    });
    assert.equal(r.records, all.length + 2 + sim.catalog.length);
    assert.equal(r.deadLetters, 2);
    assert.ok(seen.length > 0 && seen.at(-1) === 1, 'progress reached 100 %');
    const ch2 = createClickhouse({ database: db2 });
    try {
      assert.deepEqual(await snapshot(ch2), await snapshot(ch));
    } finally {
      await ch2.close();
    }
    await assert.rejects(
      replay({ database: db2, reservationTopic: w.reservations, catalogTopic: w.catalog }),
      /exists; pass --replace/,
    );
  });
});

/** Every table of an analytics database in a canonical form (rows merged and ordered; ingestion times left out). */
async function snapshot(ch: ClickHouseClient): Promise<Record<string, unknown[]>> {
  const columns = async (table: string) =>
    (
      await selectRows<{ name: string }>(
        ch,
        `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = '${table}' AND name != 'ingested_at' ORDER BY name`,
      )
    ).map((c) => c.name);
  const rows = (q: string) => selectRows<unknown>(ch, q);
  return {
    reservation_events: await rows(
      `SELECT ${(await columns('reservation_events')).join(', ')} FROM reservation_events FINAL ORDER BY topic, partition, offset`,
    ),
    events: await rows(
      `SELECT ${(await columns('events')).filter((c) => c !== 'offset' && c !== 'partition').join(', ')} FROM events FINAL ORDER BY event_id`,
    ),
    sales_per_minute: await rows(
      `SELECT event_id, minute, sum(decisions), sum(replays), sum(holds), sum(held_seats), sum(bookings), sum(booked_seats), sum(revenue_minor), sum(cancellations), sum(cancelled_seats), sum(refunded_minor), sum(releases), sum(released_seats), sum(expiries), sum(expired_seats), sum(rejections) FROM sales_per_minute GROUP BY event_id, minute ORDER BY event_id, minute`,
    ),
    rejections_per_minute: await rows(
      `SELECT event_id, minute, rejected_command, rejection_code, sum(rejections) FROM rejections_per_minute GROUP BY event_id, minute, rejected_command, rejection_code ORDER BY event_id, minute, rejected_command, rejection_code`,
    ),
    decision_latency_per_minute: await rows(
      `SELECT event_id, minute, decision, countMerge(decisions), quantilesTimingMerge(0.5, 0.9, 0.99)(latency_ms), sumMerge(latency_sum_ms), maxMerge(latency_max_ms) FROM decision_latency_per_minute GROUP BY event_id, minute, decision ORDER BY event_id, minute, decision`,
    ),
    hold_outcomes: await rows(
      `SELECT event_id, hold_id, maxMerge(held_at_ms), maxMerge(buyer_id), maxMerge(seats), maxMerge(total_minor), maxMerge(currency), maxMerge(booking_id), maxMerge(booked_at_ms), maxMerge(released_at_ms), maxMerge(expired_at_ms), maxMerge(cancelled_at_ms) FROM hold_outcomes GROUP BY event_id, hold_id ORDER BY event_id, hold_id`,
    ),
    booking_lines: await rows(`SELECT * FROM booking_lines FINAL ORDER BY event_id, hold_id, price_category_id`),
  };
}
