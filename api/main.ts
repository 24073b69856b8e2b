/**
 * `npm run api`: starts the API on API_HOST:API_PORT (127.0.0.1:8080 by default), against the
 * endpoints of infra/config.ts. Applies pending migrations first (`API_MIGRATE=0` to skip, when a
 * deployment runs `npm run db:migrate` as its own step). Stops gracefully on SIGTERM/SIGINT:
 * stops accepting, finishes in-flight requests, closes PostgreSQL and Redis, and exits; a hard
 * deadline (API_SHUTDOWN_GRACE_MS) ends a shutdown that hangs.
 */
import { loadEndpoints } from '../infra/config.js';
import { logger } from '../infra/log.js';
import { initTracing } from '../infra/telemetry/tracing.js';
import { buildApp } from './app.js';
import { loadApiConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { createPool } from './db/pool.js';
import { createRedis } from './redis.js';
import { loadSecrets } from './secrets.js';

const log = logger('api');
const tracing = initTracing('seatstream-api');

async function main(): Promise<void> {
  const config = loadApiConfig();
  const endpoints = loadEndpoints();
  if (process.env.API_MIGRATE !== '0') await migrate(endpoints.postgres);
  const pool = createPool(endpoints.postgres);
  const redis = createRedis(endpoints.redis);
  const app = await buildApp({ config, pool, redis, secrets: await loadSecrets() });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown took too long, exiting');
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    try {
      await app.close();
      await Promise.allSettled([pool.end(), redis.quit(), tracing.shutdown()]);
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  log.info(
    { url: `http://${config.host}:${config.port}`, docs: `http://${config.host}:${config.port}/docs` },
    'API listening',
  );
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'API failed to start');
  process.exit(1);
});
