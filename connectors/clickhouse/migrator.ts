/**
 * ClickHouse schema migrations: numbered `.sql` files in migrations/ (`0001_name.sql`, applied in order), and the
 * table `schema_migrations` in the target database recording which were applied, with a checksum so that an
 * applied file edited afterwards is refused rather than silently ignored (write a new migration instead).
 *
 * ClickHouse has no transactional DDL: a file is applied statement by statement, then recorded. Every statement is
 * written to be repeatable (`IF NOT EXISTS`), so a migration interrupted midway is simply applied again. Statements
 * are separated by a `;` at the end of a line. Table names are unqualified: they resolve to the database being
 * migrated (ClickHouse stores the resolved names in views), so the same files build any database, e.g. a replay's.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../infra/log.js';
import { createClickhouse, selectRows, type ClickHouseClient } from './client.js';
import { identifier, quoteString, unsignedInteger } from './sql.js';

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

export class MigrationError extends Error {
  constructor(
    readonly code: 'SS_ERR_CH_MIGRATION_CHANGED' | 'SS_ERR_CH_MIGRATION_NAME' | 'SS_ERR_CH_MIGRATION_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = 'MigrationError';
  }
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** The statements of a migration file: split on `;` at line ends, comment-only pieces dropped. Pure. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.replace(/^\s*--.*$/gm, '').trim().length > 0);
}

export function parseMigration(file: string, text: string): Migration {
  const m = fileName.exec(file);
  if (!m) throw new MigrationError('SS_ERR_CH_MIGRATION_NAME', `${file} is not NNNN_name.sql`);
  return {
    version: Number(m[1]),
    name: m[2]!,
    checksum: createHash('sha256').update(text).digest('hex'),
    statements: splitStatements(text),
  };
}

export function loadMigrations(dir = migrationsDir): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const out = files.map((f) => parseMigration(f, readFileSync(join(dir, f), 'utf8')));
  const seen = new Set<number>();
  for (const m of out) {
    if (seen.has(m.version))
      throw new MigrationError('SS_ERR_CH_MIGRATION_NAME', `two migrations numbered ${m.version}`);
    seen.add(m.version);
  }
  return out;
}

const migrationsTable = 'schema_migrations';

export interface MigrateResult {
  database: string;
  applied: string[];
  alreadyApplied: string[];
}

/**
 * Creates the database if needed and applies the migrations it lacks, each statement with `database` as the
 * default database. Uses clients of its own (`url` or the endpoint of infra/config.ts).
 */
export async function migrate(
  database: string,
  o: { url?: string; log?: Logger; migrations?: Migration[] } = {},
): Promise<MigrateResult> {
  const db = identifier(database);
  const migrations = o.migrations ?? loadMigrations();
  const server = createClickhouse(o.url ? { url: o.url } : {});
  try {
    await server.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  } finally {
    await server.close();
  }
  const ch = createClickhouse({ database: db, ...(o.url ? { url: o.url } : {}) });
  try {
    return await applyMissing(ch, db, migrations, o.log);
  } finally {
    await ch.close();
  }
}

async function applyMissing(
  ch: ClickHouseClient,
  db: string,
  migrations: Migration[],
  log?: Logger,
): Promise<MigrateResult> {
  const run = (query: string) => ch.command({ query });
  await run(
    `CREATE TABLE IF NOT EXISTS ${migrationsTable} (version UInt32, name String, checksum String, applied_at DateTime) ENGINE = MergeTree ORDER BY version`,
  );
  const rows = await selectRows<{ version: number; name: string; checksum: string }>(
    ch,
    `SELECT version, any(name) AS name, any(checksum) AS checksum FROM ${migrationsTable} GROUP BY version`,
  );
  const done = new Map(rows.map((r) => [Number(r.version), r]));
  const result: MigrateResult = { database: db, applied: [], alreadyApplied: [] };
  for (const m of migrations) {
    const label = `${String(m.version).padStart(4, '0')}_${m.name}`;
    const prior = done.get(m.version);
    if (prior) {
      if (prior.checksum !== m.checksum) {
        throw new MigrationError(
          'SS_ERR_CH_MIGRATION_CHANGED',
          `${label} was applied to ${db} with another content; add a new migration instead of editing it`,
        );
      }
      result.alreadyApplied.push(label);
      continue;
    }
    for (const [i, statement] of m.statements.entries()) {
      try {
        await run(statement);
      } catch (err) {
        throw new MigrationError(
          'SS_ERR_CH_MIGRATION_FAILED',
          `${label}, statement ${i + 1}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    }
    await run(
      `INSERT INTO ${migrationsTable} (version, name, checksum, applied_at) VALUES (${unsignedInteger(m.version)}, ${quoteString(m.name)}, ${quoteString(m.checksum)}, now())`,
    );
    log?.info({ database: db, migration: label }, 'ClickHouse migration applied');
    result.applied.push(label);
  }
  return result;
}
