/**
 * The Grafana dashboard's queries run on ClickHouse (the local 18.16, so the SQL stays within what both it and
 * current versions accept), with Grafana's macros and variable replaced as Grafana would: over a fresh analytics
 * database holding a simulated on-sale, the time series answer rows with a `time` column.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { selectRows } from '../../connectors/clickhouse/client.js';
import { analyticsDatabase, simulateOnSale, type AnalyticsDatabase, type AnalyticsFixture } from '../testing.js';
import { buildDashboard } from './build.js';

describe('Grafana dashboard queries on ClickHouse', () => {
  let db: AnalyticsDatabase;
  let fx: AnalyticsFixture;
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;

  before(async () => {
    db = await analyticsDatabase();
    fx = await simulateOnSale(db, { organizers: ['org-g'], start, commands: 1_500, meanGapMs: 1_000 });
  });
  after(async () => db?.drop());

  it('every panel query runs and the time series have a time column', async () => {
    const events = fx.sim.catalog.map((c) => `'${c.eventId}'`).join(',');
    const d = buildDashboard() as { panels: { title: string; type: string; targets: { rawSql: string }[] }[] };
    for (const p of d.panels) {
      const sql = p.targets[0]!.rawSql.replaceAll('${event:singlequote}', events)
        .replaceAll('$__fromTime', `toDateTime(${Math.floor(start / 1000) - 600})`)
        .replaceAll('$__toTime', `toDateTime(${Math.floor(Date.now() / 1000) + 600})`)
        .replaceAll('$__interval_s', '300');
      const rows = await selectRows<Record<string, unknown>>(db.ch, sql);
      if (p.title !== 'Check-ins per gate') assert.ok(rows.length > 0, p.title);
      if (p.type === 'timeseries')
        for (const r of rows) assert.match(String(r.time), /^\d{4}-\d\d-\d\d \d\d:\d\d:00$/, p.title);
    }
  });
});
