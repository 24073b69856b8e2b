/**
 * Test support for the dashboards: a fresh analytics database filled with a simulated on-sale (the real decider's
 * decisions, through the same row mapping as the sink, into the real tables and materialized views), so that the
 * plugin can be queried without running Kafka and the sink (which have their own tests).
 */
import { randomUUID } from 'node:crypto';
import { createClickhouse, type ClickHouseClient } from '../connectors/clickhouse/client.js';
import { migrate } from '../connectors/clickhouse/migrator.js';
import { eventRow, reservationEventRow, type ReservationEventRow } from '../connectors/clickhouse/rows.js';
import { OnSaleSimulation, type SimulatedDecision } from '../connectors/clickhouse/testing/onsale-simulation.js';

export interface AnalyticsDatabase {
  database: string;
  ch: ClickHouseClient;
  drop(): Promise<void>;
}

/** A fresh analytics database with the migrations applied. */
export async function analyticsDatabase(): Promise<AnalyticsDatabase> {
  const database = `it_dashboards_${randomUUID().slice(0, 8)}`;
  await migrate(database);
  const ch = createClickhouse({ database });
  return {
    database,
    ch,
    async drop() {
      await ch.close();
      const server = createClickhouse();
      await server.command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await server.close();
    },
  };
}

export interface AnalyticsFixture {
  sim: OnSaleSimulation;
  rows: ReservationEventRow[];
  /** Appends decisions of the running simulation up to `untilMs` (a live on-sale); returns how many. */
  advance(untilMs: number): Promise<number>;
}

/** Fills a database with an on-sale of three events (event i belongs to organizers[i % n]) from `start`. */
export async function simulateOnSale(
  { ch, database }: AnalyticsDatabase,
  o: { organizers: string[]; start: number; commands: number; meanGapMs?: number },
): Promise<AnalyticsFixture> {
  const sim = new OnSaleSimulation({
    seed: 42,
    onSaleAt: o.start,
    organizers: o.organizers,
    eventPrefix: `dash-${database.slice(-8)}`,
  });
  await ch.insert({
    table: 'events',
    format: 'JSONEachRow',
    values: sim.catalog.map((c, i) =>
      eventRow({ topic: 'catalog.events.v1', partition: 0, offset: i, timestamp: c.updatedAt }, c),
    ),
  });
  const rows: ReservationEventRow[] = [];
  const insert = async (ds: SimulatedDecision[]) => {
    const batch = ds.map((d) =>
      reservationEventRow(
        { topic: 'reservation.events.v1', partition: 0, offset: rows.length + ds.indexOf(d), timestamp: d.timestamp },
        d.value,
      ),
    );
    if (batch.length) await ch.insert({ table: 'reservation_events', format: 'JSONEachRow', values: batch });
    rows.push(...batch);
    return batch.length;
  };
  await insert(sim.simulate(o.commands, o.start, o.meanGapMs ?? 200));
  let clock = rows.length ? Math.max(...rows.map((r) => r.occurred_at_ms)) : o.start;
  return {
    sim,
    rows,
    async advance(untilMs) {
      const ds: SimulatedDecision[] = [];
      while (clock < untilMs) {
        clock += 50 + Math.floor(Math.random() * 250);
        ds.push(...sim.step(Math.min(clock, untilMs)));
      }
      return insert(ds);
    },
  };
}
