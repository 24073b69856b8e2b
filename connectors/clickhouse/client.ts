/**
 * The ClickHouse client (@clickhouse/client over HTTP), set up for every ClickHouse we run, Debian's 18.16
 * included: `date_time_input_format=best_effort` so that DateTime columns take ISO-8601 UTC strings, and none of
 * what 18.16 lacks (query parameters, async inserts, DateTime64, Map, JSONCompactEachRow).
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { loadEndpoints } from '../../infra/config.js';
import { identifier } from './sql.js';

export type { ClickHouseClient };

export interface ClickhouseOptions {
  /** Default database of every query; unqualified table names resolve there. */
  database?: string;
  /** Endpoint URL; `loadEndpoints().clickhouse` when unset. */
  url?: string;
  requestTimeoutMs?: number;
}

export function createClickhouse(o: ClickhouseOptions = {}): ClickHouseClient {
  return createClient({
    url: o.url ?? loadEndpoints().clickhouse,
    ...(o.database ? { database: identifier(o.database) } : {}),
    request_timeout: o.requestTimeoutMs ?? 60_000,
    // The server closes idle connections after 3 s (keep_alive_timeout): drop ours before it does.
    keep_alive: { enabled: true, idle_socket_ttl: 2_000 },
    clickhouse_settings: { date_time_input_format: 'best_effort' },
  });
}

/** Rows of a SELECT, as JSON objects (64-bit integers arrive as strings). */
export async function selectRows<T>(ch: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await ch.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}
