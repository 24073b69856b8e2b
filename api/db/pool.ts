/** The PostgreSQL connection pool of the API (node-postgres). */
import pg from 'pg';
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  max?: number;
  /** Per-statement limit, so a stuck query cannot hold a request forever. */
  statementTimeoutMs?: number;
}

export function createPool(connectionString: string = loadEndpoints().postgres, opts: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs ?? 5_000,
    application_name: 'seatstream-api',
  });
  const log = logger('api.db');
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL client failed'));
  return pool;
}

/** Runs `fn` in a transaction on one client: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Either the pool (one statement) or a client inside a transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/** PostgreSQL's unique_violation, e.g. an e-mail blind index already taken. */
export const isUniqueViolation = (err: unknown, constraint?: string): boolean =>
  typeof err === 'object' &&
  err !== null &&
  (err as { code?: string }).code === '23505' &&
  (!constraint || (err as { constraint?: string }).constraint === constraint);
