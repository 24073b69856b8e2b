/**
 * The settings of the API's tokens that another service verifying them needs too (the streaming service): issuer,
 * audience, access-token lifetime, clock tolerance, and the Redis key prefix under which revocations live. Read here
 * once for both; api/config.ts takes them from here.
 */
export interface JwtSettings {
  issuer: string;
  audience: string;
  accessTtlSec: number;
  clockToleranceSec: number;
}

const seconds = (env: NodeJS.ProcessEnv, name: string, dflt: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
};

export function loadJwtSettings(env: NodeJS.ProcessEnv = process.env): JwtSettings {
  return {
    issuer: env.API_JWT_ISSUER || 'https://seatstream.local',
    audience: env.API_JWT_AUDIENCE || 'seatstream-api',
    accessTtlSec: seconds(env, 'API_ACCESS_TTL_SEC', 600),
    clockToleranceSec: seconds(env, 'API_CLOCK_TOLERANCE_SEC', 30),
  };
}

/** Every Redis key the API writes (revocations included) starts with it. */
export const apiRedisKeyPrefix = (env: NodeJS.ProcessEnv = process.env): string => env.API_REDIS_PREFIX || 'ss:api:';
