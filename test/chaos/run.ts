/**
 * `npm run test:chaos`: the chaos run on a stack of its own. This file only points SEATSTREAM_STACK_DIR at
 * `.stack/chaos` before any module reads it (infra/config.ts reads it when loaded), then runs chaos.ts.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.SEATSTREAM_STACK_DIR = join(fileURLToPath(new URL('../../.stack/chaos', import.meta.url)));
for (const name of ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL', 'REDIS_URL', 'CLICKHOUSE_URL'])
  delete process.env[name]; // the run's own stack, never one named by the caller's environment

const { main } = await import('./chaos.js');
process.exitCode = await main();
