/**
 * Applies the PostgreSQL migrations of `api/db/migrations/` with node-pg-migrate.
 * `npm run db:migrate` (up), `npm run db:migrate -- down` (reverts the last one).
 * Concurrent runs wait on node-pg-migrate's advisory lock instead of failing.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runner } from 'node-pg-migrate';
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';

export const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
export const migrationsTable = 'schema_migrations';

export async function migrate(
  databaseUrl: string = loadEndpoints().postgres,
  direction: 'up' | 'down' = 'up',
): Promise<string[]> {
  const log = logger('api.migrate');
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    migrationsTable,
    direction,
    count: direction === 'up' ? Infinity : 1,
    singleTransaction: true,
    checkOrder: true,
    advisoryLockMode: 'wait',
    logger: {
      debug: () => undefined,
      info: (m: string) => log.debug(m),
      warn: (m: string) => log.warn(m),
      error: (m: string) => log.error(m),
    },
  });
  return applied.map((m) => m.name);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const direction = process.argv[2] === 'down' ? 'down' : 'up';
  migrate(undefined, direction).then(
    (names) => {
      console.log(names.length ? `${direction}: ${names.join(', ')}` : 'database schema is up to date');
    },
    (err: Error) => {
      console.error(`migration failed: ${err.message}`);
      process.exit(1);
    },
  );
}
