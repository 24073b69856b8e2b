/** The API's Redis client (ioredis): rate limits, lockouts, second-factor challenges, token revocation. */
import { Redis } from 'ioredis';
import { loadEndpoints } from '../infra/config.js';
import { logger } from '../infra/log.js';

export type { Redis };

export function createRedis(url: string = loadEndpoints().redis): Redis {
  const redis = new Redis(url, {
    // Fail a command fast rather than queueing requests behind a dead server: the API answers 503.
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    connectionName: 'seatstream-api',
  });
  const log = logger('api.redis');
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'Redis connection error'));
  return redis;
}
