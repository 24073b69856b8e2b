/**
 * Benchmark of the read-model sink's PostgreSQL side, the part a batch waits for: decoded records (made by the real
 * decider, stream-fixture.ts) folded into a write plan and written in one transaction with the offset, as sink.ts
 * does, for several batch sizes; and the API's expansion of a 50,000-seat stadium's seat map (GET /v1/events/{id}).
 * Kafka is left out (no records are written to the shared topics); its rows and offsets are deleted afterwards.
 *
 *   node --import tsx connectors/postgres/sink.bench.ts [--records 6000]
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { loadEndpoints } from '../../infra/config.js';
import { migrate } from '../../api/db/migrate.js';
import { stadium } from '../../processors/seat-allocation/demo-venue.js';
import { expandSeatMap } from '../../api/catalog/views.js';
import type { SinkInput } from './inputs.js';
import { project } from './projection.js';
import { lockOffset, saveOffset, writePlan } from './store.js';
import { EventScript, type ScriptRecord } from './stream-fixture.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

function records(eventIds: string[], wanted: number): SinkInput[] {
  const scripts = eventIds.map(
    (eventId, i) =>
      new EventScript({
        eventId,
        seed: i + 1,
        buyers: [`b-${i}-1`, `b-${i}-2`, `b-${i}-3`, `b-${i}-4`],
        onSaleAt: Date.UTC(2026, 0, 1),
      }),
  );
  const out: ScriptRecord[] = scripts.map((s) => s.catalog());
  while (out.length < wanted)
    for (const s of scripts) out.push(...s.step(), ...(out.length % 10 === 0 ? [s.snapshot()!] : []));
  return out.slice(0, wanted).map((r, offset) => {
    const at = { topic: r.topic, partition: 0, offset };
    if (r.topic === 'catalog.events.v1') return { source: 'catalog', at, key: r.key, value: r.value };
    if (r.topic === 'event.availability.v1') return { source: 'availability', at, key: r.key, value: r.value };
    return { source: 'reservation', at, key: r.key, value: r.value };
  }) as SinkInput[];
}

async function main() {
  const total = arg('records', 6_000);
  await migrate(loadEndpoints().postgres);
  const pool = new pg.Pool({ connectionString: loadEndpoints().postgres, max: 2 });
  const consumer = `bench-${randomUUID()}`;
  const eventIds = [0, 1, 2, 3].map(() => `bench-${randomUUID()}`);
  try {
    console.log(`sink apply path: ${total} records per run (catalog, decisions, snapshots of 4 events)`);
    for (const batch of [1, 10, 100, 500]) {
      const inputs = records(eventIds, total);
      const tp = { topic: `bench-${batch}`, partition: 0 };
      const started = process.hrtime.bigint();
      for (let i = 0; i < inputs.length; i += batch) {
        const slice = inputs.slice(i, i + batch);
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          await lockOffset(c, consumer, tp);
          await writePlan(c, project(slice).plan);
          await saveOffset(c, consumer, tp, i + slice.length);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      }
      const s = Number(process.hrtime.bigint() - started) / 1e9;
      console.log(
        `  batch ${String(batch).padStart(3)}: ${Math.round(inputs.length / s)} records/s, ${((s / Math.ceil(inputs.length / batch)) * 1000).toFixed(2)} ms per transaction`,
      );
      for (const table of [
        'events',
        'event_seat_maps',
        'holds',
        'bookings',
        'availability',
        'decisions',
        'event_sales',
      ])
        await pool.query(`DELETE FROM ${table} WHERE event_id = ANY($1::text[])`, [eventIds]);
    }
    const def = stadium({ onSaleAt: 0 });
    const t0 = process.hrtime.bigint();
    const { seats } = expandSeatMap(def.venue, def.priceCategories);
    const t1 = process.hrtime.bigint();
    const json = JSON.stringify(seats);
    const t2 = process.hrtime.bigint();
    console.log(
      `stadium seat map: ${seats.length} seats expanded in ${(Number(t1 - t0) / 1e6).toFixed(1)} ms, ${(json.length / 1e6).toFixed(1)} MB of JSON in ${(Number(t2 - t1) / 1e6).toFixed(1)} ms`,
    );
  } finally {
    for (const table of ['events', 'event_seat_maps', 'holds', 'bookings', 'availability', 'decisions', 'event_sales'])
      await pool.query(`DELETE FROM ${table} WHERE event_id = ANY($1::text[])`, [eventIds]);
    await pool.query('DELETE FROM sink_offsets WHERE consumer = $1', [consumer]);
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
