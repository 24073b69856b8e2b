/** The API's Redis client (ioredis): rate limits, lockouts, second-factor challenges, token revocation. */
import { Redis, type RedisOptions } from 'ioredis';
import { loadEndpoints } from '../infra/config.js';
import { logger } from '../infra/log.js';

export type { Redis };

/** `overrides`: for the integration tests' harness, whose 2-core machine may stall a process longer than 2 s. */
export function createRedis(url: string = loadEndpoints().redis, overrides: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    // Fail a command fast rather than queueing requests behind a dead server: the API answers 503.
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    connectionName: 'seatstream-api',
    ...overrides,
  });
  const log = logger('api.redis');
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'Redis connection error'));
  return redis;
}
