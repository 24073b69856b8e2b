/**
 * The dashboard queries: one `.sql` file per chart in dashboards/queries/, shared by the dashboard page's JSON
 * endpoints (plugin.ts) and Grafana (grafana/build.ts). A file starts with comment lines: `-- title: …`,
 * optionally `-- unit: …`, then a description. Values appear as typed placeholders, ClickHouse's own query-parameter
 * syntax: `{event_ids:Array(String)}`, `{from:DateTime}`, `{to:DateTime}`, `{step:UInt32}`, `{organizer_id:String}`.
 *
 * ClickHouse 18.16 has no query parameters, so `renderQuery` writes the values into the text, each through the
 * literal functions of connectors/clickhouse/sql.ts (quoted, range-checked): a request never reaches the SQL as
 * raw text. An Array(String) renders as a tuple, the form `x IN (…)` takes on every ClickHouse version.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dateTimeFromSeconds, quoteString, SqlValueError, unsignedInteger } from '../connectors/clickhouse/sql.js';

export const queriesDir = join(dirname(fileURLToPath(import.meta.url)), 'queries');

export type ParamType = 'String' | 'UInt32' | 'DateTime' | 'Array(String)';
export type ParamValue = string | number | readonly string[];

export interface DashboardQuery {
  /** File name without `.sql`, e.g. `sales_timeline`. */
  name: string;
  title: string;
  unit: string;
  description: string;
  sql: string;
  /** Placeholders and their types, in order of first appearance. */
  params: Map<string, ParamType>;
}

const placeholder = /\{([a-z_][a-z0-9_]*):([A-Za-z0-9()]+)\}/g;
const paramTypes: readonly string[] = ['String', 'UInt32', 'DateTime', 'Array(String)'];

export function parseQuery(name: string, text: string): DashboardQuery {
  const header: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('--')) break;
    header.push(line.replace(/^--\s?/, ''));
  }
  const field = (k: string) =>
    header
      .find((l) => l.startsWith(`${k}:`))
      ?.slice(k.length + 1)
      .trim();
  const title = field('title');
  if (!title) throw new Error(`${name}.sql: no "-- title:" line`);
  const params = new Map<string, ParamType>();
  for (const m of text.matchAll(placeholder)) {
    const [, p, type] = m as unknown as [string, string, string];
    if (!paramTypes.includes(type)) throw new Error(`${name}.sql: {${p}:${type}} has an unsupported type`);
    const had = params.get(p);
    if (had && had !== type) throw new Error(`${name}.sql: {${p}} used with two types`);
    params.set(p, type as ParamType);
  }
  return {
    name,
    title,
    unit: field('unit') ?? '',
    description: header
      .filter((l) => !/^(title|unit):/.test(l))
      .join(' ')
      .trim(),
    sql: text,
    params,
  };
}

export function loadQueries(dir = queriesDir): Map<string, DashboardQuery> {
  const out = new Map<string, DashboardQuery>();
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.sql'))
    .sort()) {
    const name = f.slice(0, -4);
    out.set(name, parseQuery(name, readFileSync(join(dir, f), 'utf8')));
  }
  return out;
}

function literal(type: ParamType, value: ParamValue, name: string): string {
  switch (type) {
    case 'String':
      if (typeof value !== 'string') throw new SqlValueError(`${name}: expected a string`);
      return quoteString(value);
    case 'UInt32':
      if (typeof value !== 'number') throw new SqlValueError(`${name}: expected a number`);
      return unsignedInteger(value, 4_294_967_295);
    case 'DateTime':
      if (typeof value !== 'number') throw new SqlValueError(`${name}: expected epoch seconds`);
      return dateTimeFromSeconds(value);
    case 'Array(String)':
      if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'string')) {
        throw new SqlValueError(`${name}: expected a non-empty list of strings`);
      }
      return `(${(value as string[]).map(quoteString).join(', ')})`;
  }
}

/** The query's SQL with every placeholder replaced by the literal of its value. Throws SqlValueError. */
export function renderQuery(q: DashboardQuery, values: Record<string, ParamValue>): string {
  for (const p of q.params.keys()) if (!(p in values)) throw new SqlValueError(`${q.name}: no value for {${p}}`);
  return q.sql.replace(placeholder, (_, p: string) => literal(q.params.get(p)!, values[p]!, p));
}
