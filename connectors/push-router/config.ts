/**
 * The push router's settings, from the environment (the one place that reads them):
 *
 *   PUSH_CHANNEL_PREFIX              prefix of every Redis channel (default ss:push:; the API replicas use the same)
 *   PUSH_ROUTER_GROUP_ID             Kafka consumer group, one per deployment (default seatstream-push-router)
 *   PUSH_ROUTER_MAX_AGE_MS           records older than this are not pushed (default 30000)
 *   PUSH_ROUTER_ORIGIN_APP           only route records of this seat-allocation application id (default: all)
 *   PUSH_ROUTER_CONCURRENCY          partitions processed at once per instance (default 3)
 *   PUSH_ROUTER_SESSION_TIMEOUT_MS   consumer-group session timeout (default 10000, at least 6000)
 *   PUSH_ROUTER_HTTP_PORT            /metrics and /health on SEATSTREAM_HTTP_HOST (default 0: any free port)
 *
 * Kafka, the schema registry and Redis come from infra/config.ts.
 */
import { httpHost } from '../../infra/http-host.js';
import { channelPrefixFrom } from './channels.js';

export interface PushRouterConfig {
  channelPrefix: string;
  groupId: string;
  maxAgeMs: number;
  originApplicationId: string | null;
  concurrency: number;
  sessionTimeoutMs: number;
  httpHost: string;
  httpPort: number;
}

export class PushRouterConfigError extends Error {
  readonly code = 'SS_ERR_PUSH_ROUTER_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'SS_ERR_PUSH_ROUTER_CONFIG';
  }
}

const namePattern = /^[A-Za-z0-9._-]{1,100}$/;

export function loadPushRouterConfig(env: NodeJS.ProcessEnv = process.env): PushRouterConfig {
  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new PushRouterConfigError(`${name} must be an integer in [${min}, ${max}] (got '${raw}')`);
    return n;
  };
  const name = (variable: string, fallback: string | null): string | null => {
    const v = env[variable]?.trim() || fallback;
    if (v !== null && !namePattern.test(v))
      throw new PushRouterConfigError(`${variable} must match ${namePattern.source} (got '${v}')`);
    return v;
  };
  let channelPrefix: string;
  try {
    channelPrefix = channelPrefixFrom(env);
  } catch (err) {
    throw new PushRouterConfigError((err as Error).message);
  }
  return {
    channelPrefix,
    groupId: name('PUSH_ROUTER_GROUP_ID', 'seatstream-push-router')!,
    maxAgeMs: integer('PUSH_ROUTER_MAX_AGE_MS', 30_000, 1),
    originApplicationId: name('PUSH_ROUTER_ORIGIN_APP', null),
    concurrency: integer('PUSH_ROUTER_CONCURRENCY', 3, 1, 64),
    sessionTimeoutMs: integer('PUSH_ROUTER_SESSION_TIMEOUT_MS', 10_000, 6_000),
    httpHost: httpHost(env),
    httpPort: integer('PUSH_ROUTER_HTTP_PORT', 0, 0, 65535),
  };
}
