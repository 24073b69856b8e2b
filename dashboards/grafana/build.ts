/**
 * Grafana's SeatStream dashboard, generated from the same queries as the API's dashboard page
 * (dashboards/queries/*.sql): `node --import tsx dashboards/grafana/build.ts` writes
 * dashboards/grafana/dashboards/json/seatstream-analytics.json; a unit test fails when the file is not up to date.
 *
 * The typed placeholders become Grafana's: the events in scope are the `event` variable (multi-value, all by
 * default), the range is the dashboard's (`$__fromTime`, `$__toTime`), the bucket follows Grafana's interval in
 * whole minutes (the models are per minute). Grafana is for analysts and operators (every event); organizers see
 * their own events on the API's page, which scopes by their token.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadQueries, type DashboardQuery } from '../queries.js';

export const outputFile = join(
  dirname(fileURLToPath(import.meta.url)),
  'dashboards',
  'json',
  'seatstream-analytics.json',
);

const datasource = { type: 'grafana-clickhouse-datasource', uid: 'seatstream-clickhouse' } as const;

const grafanaValues: Record<string, string> = {
  'event_ids:Array(String)': '(${event:singlequote})',
  'from:DateTime': '$__fromTime',
  'to:DateTime': '$__toTime',
  'step:UInt32': 'greatest(60, intDiv($__interval_s, 60) * 60)',
  'organizer_id:String': "''",
};

/** The query's SQL for Grafana: header comments dropped, placeholders replaced by Grafana's macros and variables. */
export function grafanaSql(q: DashboardQuery): string {
  const body = q.sql
    .split('\n')
    .filter((l, i, all) => !(l.startsWith('--') && all.slice(0, i).every((x) => x.startsWith('--'))))
    .join('\n')
    .trim();
  return body.replace(/\{([a-z_][a-z0-9_]*:[A-Za-z0-9()]+)\}/g, (m, key: string) => {
    const v = grafanaValues[key];
    if (v === undefined) throw new Error(`${q.name}: no Grafana form for ${m}`);
    return v;
  });
}

interface Panel {
  query: string;
  kind: 'timeseries' | 'table' | 'barchart';
  w: number;
  h: number;
  unit?: string;
}

/** The panels in order (the same charts as the page). */
const panels: Panel[] = [
  { query: 'sales_timeline', kind: 'timeseries', w: 24, h: 9 },
  { query: 'conversion', kind: 'timeseries', w: 12, h: 8, unit: 'percentunit' },
  { query: 'decision_latency', kind: 'timeseries', w: 12, h: 8, unit: 'ms' },
  { query: 'hold_to_payment', kind: 'timeseries', w: 12, h: 8, unit: 's' },
  { query: 'rejections_by_reason', kind: 'barchart', w: 12, h: 8 },
  { query: 'revenue_by_category', kind: 'table', w: 12, h: 8 },
  { query: 'checkins_by_gate', kind: 'barchart', w: 12, h: 8 },
  { query: 'events_overview', kind: 'table', w: 24, h: 8 },
];

export function buildDashboard(queries = loadQueries()): object {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const out = panels.map((p, i) => {
    const q = queries.get(p.query);
    if (!q) throw new Error(`no query ${p.query}`);
    if (x + p.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: p.w, h: p.h };
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
    const sql = grafanaSql(q);
    const timeSeries = p.kind === 'timeseries';
    return {
      id: i + 1,
      type: p.kind,
      title: q.title,
      description: q.description,
      datasource,
      gridPos,
      fieldConfig: { defaults: p.unit ? { unit: p.unit } : {}, overrides: [] },
      options: {},
      targets: [
        {
          refId: 'A',
          datasource,
          editorType: 'sql',
          queryType: timeSeries ? 'timeSeries' : 'table',
          format: timeSeries ? 0 : 1,
          rawSql: timeSeries ? `SELECT toDateTime(t) AS time, * FROM (\n${sql}\n)\nORDER BY time` : sql,
        },
      ],
    };
  });
  return {
    uid: 'seatstream-analytics',
    title: 'SeatStream · on-sale analytics',
    description: 'Generated from dashboards/queries/*.sql by dashboards/grafana/build.ts; do not edit in Grafana.',
    tags: ['seatstream', 'analytics'],
    timezone: 'browser',
    refresh: '10s',
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-3h', to: 'now' },
    templating: {
      list: [
        {
          name: 'event',
          label: 'Event',
          type: 'query',
          datasource,
          query: `SELECT event_id FROM events FINAL ORDER BY event_id`,
          definition: `SELECT event_id FROM events FINAL ORDER BY event_id`,
          refresh: 2,
          multi: true,
          includeAll: true,
          current: { selected: true, text: ['All'], value: ['$__all'] },
        },
      ],
    },
    panels: out,
  };
}

/** The dashboard as the committed file holds it: JSON laid out by Prettier (as `npm run format` would). */
export async function renderDashboard(): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(outputFile)) ?? {};
  return prettier.format(JSON.stringify(buildDashboard()), { ...options, parser: 'json' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(outputFile, await renderDashboard());
  console.log(`wrote ${outputFile}`);
}
