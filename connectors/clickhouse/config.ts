/**
 * Where the analytics live: the ClickHouse endpoint comes from infra/config.ts (`CLICKHOUSE_URL`, the local stack,
 * or the default), the database name from `CLICKHOUSE_DATABASE` (default `seatstream`). The sink, the migrations,
 * the replay command and the dashboards all read it here.
 */
import { identifier } from './sql.js';

export const defaultDatabase = 'seatstream';

export const analyticsDatabase = (env: NodeJS.ProcessEnv = process.env): string =>
  identifier(env.CLICKHOUSE_DATABASE || defaultDatabase);
