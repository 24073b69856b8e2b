/**
 * `npm run streaming`: the live-streaming service (mediasoup SFU and its signalling WebSocket) on
 * STREAMING_HOST:STREAMING_PORT (127.0.0.1:8095 by default). Reads the API's JWT key set (it verifies the API's access
 * and stream tokens), PostgreSQL (bookings), Redis (revocations; booking cancellations from the push router). Stops
 * gracefully on SIGTERM/SIGINT; a mediasoup worker that dies ends the process with status 1 for its supervisor to
 * restart it.
 */
import { channelPrefixFrom, channelsFor } from '../../connectors/push-router/channels.js';
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { apiRedisKeyPrefix, loadJwtSettings } from '../auth/token-settings.js';
import { createPool } from '../db/pool.js';
import { createRedis } from '../redis.js';
import { loadJwtKeySet } from '../secrets.js';
import { loadStreamingConfig } from './config.js';
import { startStreamingService } from './server.js';

const log = logger('streaming');

async function main(): Promise<void> {
  const config = loadStreamingConfig();
  const endpoints = loadEndpoints();
  const pool = createPool(endpoints.postgres, { max: 5 });
  const redis = createRedis(endpoints.redis);
  // A subscriber connection must not give up on commands: it waits for Redis to come back and resubscribes.
  const subscriber = createRedis(endpoints.redis).duplicate({ maxRetriesPerRequest: null, commandTimeout: undefined });
  const service = await startStreamingService({
    config,
    api: { jwt: loadJwtSettings(), redisKeyPrefix: apiRedisKeyPrefix() },
    jwtKeys: await loadJwtKeySet(),
    pool,
    redis,
    subscriber,
    channels: channelsFor(channelPrefixFrom(process.env)),
    log,
    onWorkerDeath: () => process.exit(1),
  });

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
      await service.close();
      await Promise.allSettled([pool.end(), redis.quit(), subscriber.quit()]);
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'streaming service failed to start');
  process.exit(1);
});
