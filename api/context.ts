/** What the API's handlers work with, built once per app from its dependencies. */
import type { ApiConfig } from './config.js';
import type { Pool } from './db/pool.js';
import type { Redis } from './redis.js';
import type { ApiSecrets } from './secrets.js';
import type { PiiKeyRing } from './accounts/pii.js';
import { AccessTokens } from './auth/access-tokens.js';
import { AuthLimits } from './auth/limits.js';
import { Passwords } from './auth/passwords.js';
import { Sessions } from './auth/sessions.js';

export interface ApiContext {
  config: ApiConfig;
  pool: Pool;
  redis: Redis;
  pii: PiiKeyRing;
  tokens: AccessTokens;
  sessions: Sessions;
  limits: AuthLimits;
  passwords: Passwords;
  /** The clock; tests may pass their own. */
  now: () => Date;
}

export async function createContext(deps: {
  config: ApiConfig;
  pool: Pool;
  redis: Redis;
  secrets: ApiSecrets;
  now?: () => Date;
}): Promise<ApiContext> {
  const { config, pool, redis, secrets } = deps;
  return {
    config,
    pool,
    redis,
    pii: secrets.pii,
    tokens: await AccessTokens.create(secrets.jwtKeys, { ...config.jwt, ttlSec: config.jwt.accessTtlSec }),
    sessions: new Sessions(redis, config.jwt.accessTtlSec, config.redisKeyPrefix),
    limits: new AuthLimits(
      redis,
      { account: config.limits.accountLockout, ip: config.limits.ipLockout },
      config.redisKeyPrefix,
    ),
    passwords: new Passwords(config.argon2),
    now: deps.now ?? (() => new Date()),
  };
}
