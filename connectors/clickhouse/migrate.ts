/**
 * `npm run clickhouse:migrate [-- --database NAME]`: creates the analytics database (CLICKHOUSE_DATABASE, default
 * seatstream) if needed and applies the migrations of connectors/clickhouse/migrations it lacks. Idempotent: the
 * bootstrap and the test runner call it on every run.
 */
import { parseArgs } from 'node:util';
import { logger } from '../../infra/log.js';
import { analyticsDatabase } from './config.js';
import { migrate } from './migrator.js';

const log = logger('clickhouse-migrate');
const { values } = parseArgs({ options: { database: { type: 'string' } }, strict: true });

try {
  const database = values.database ?? analyticsDatabase();
  const r = await migrate(database, { log });
  console.log(
    `clickhouse:migrate ${r.database}: ${r.applied.length} applied${r.applied.length ? ` (${r.applied.join(', ')})` : ''}, ${r.alreadyApplied.length} already there`,
  );
} catch (err) {
  console.error(`clickhouse:migrate failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
