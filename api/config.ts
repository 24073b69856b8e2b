/**
 * The API's settings, from the environment, with the defaults used locally. The one place that reads
 * `API_*` variables but the token settings the streaming service shares (auth/token-settings.ts); backing-service endpoints come from infra/config.ts and secrets from secrets.ts.
 */
import { localPorts } from '../infra/config.js';
import { httpHost } from '../infra/http-host.js';
import { apiRedisKeyPrefix, loadJwtSettings, type JwtSettings } from './auth/token-settings.js';

export interface Window {
  limit: number;
  windowSec: number;
}

export interface Lockout {
  /** Failures within `windowSec` that lock. */
  maxFailures: number;
  windowSec: number;
  lockSec: number;
}

export interface ApiConfig {
  host: string;
  port: number;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
  /** Fastify's trustProxy: trust X-Forwarded-For from no proxy, any proxy, or the listed addresses/CIDRs. */
  trustProxy: boolean | string[];
  /** Origins allowed to call the API from a browser; empty: none (same origin only). */
  corsOrigins: string[];
  jwt: JwtSettings;
  refreshTtlSec: number;
  mfa: { otpauthIssuer: string; loginTtlSec: number; maxCodeAttempts: number; recoveryCodes: number };
  limits: {
    loginPerIp: Window;
    registerPerIp: Window;
    tokenPerIp: Window;
    accountLockout: Lockout;
    ipLockout: Lockout;
  };
  /** argon2id cost (RFC 9106 §4, second recommended option by default). */
  argon2: { memoryCostKiB: number; timeCost: number; parallelism: number };
  shutdownGraceMs: number;
  /** Every Redis key the API writes starts with it, so the keyspace is easy to inspect and to share. */
  redisKeyPrefix: string;
}

const int = (env: NodeJS.ProcessEnv, name: string, dflt: number): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
};

function trustProxyFrom(v: string | undefined): boolean | string[] {
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    host: env.API_HOST || httpHost(env),
    port: int(env, 'API_PORT', localPorts.api),
    bodyLimitBytes: int(env, 'API_BODY_LIMIT_BYTES', 16 * 1024),
    trustProxy: trustProxyFrom(env.API_TRUST_PROXY),
    corsOrigins: (env.API_CORS_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    jwt: loadJwtSettings(env),
    refreshTtlSec: int(env, 'API_REFRESH_TTL_SEC', 14 * 24 * 3600),
    mfa: {
      otpauthIssuer: env.API_OTPAUTH_ISSUER || 'SeatStream',
      loginTtlSec: 300,
      maxCodeAttempts: 5,
      recoveryCodes: 10,
    },
    limits: {
      loginPerIp: { limit: int(env, 'API_LOGIN_PER_IP_PER_MIN', 30), windowSec: 60 },
      registerPerIp: { limit: int(env, 'API_REGISTER_PER_IP_PER_HOUR', 30), windowSec: 3600 },
      tokenPerIp: { limit: int(env, 'API_TOKEN_PER_IP_PER_MIN', 60), windowSec: 60 },
      accountLockout: {
        maxFailures: int(env, 'API_LOCKOUT_FAILURES', 5),
        windowSec: 900,
        lockSec: int(env, 'API_LOCKOUT_SEC', 900),
      },
      ipLockout: { maxFailures: int(env, 'API_IP_LOCKOUT_FAILURES', 50), windowSec: 900, lockSec: 900 },
    },
    argon2: {
      memoryCostKiB: int(env, 'API_ARGON2_MEMORY_KIB', 64 * 1024),
      timeCost: int(env, 'API_ARGON2_TIME_COST', 3),
      parallelism: int(env, 'API_ARGON2_PARALLELISM', 4),
    },
    shutdownGraceMs: int(env, 'API_SHUTDOWN_GRACE_MS', 10_000),
    redisKeyPrefix: apiRedisKeyPrefix(env),
  };
}
