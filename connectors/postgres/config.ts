/**
 * The read-model sink's settings, from the environment (the one place that reads them):
 *
 *   SINK_POSTGRES_CONSUMER            the sink's name in sink_offsets (default read-models); a read model rebuilt
 *                                     from the start of the log gets a new name
 *   SINK_POSTGRES_GROUP_ID            Kafka consumer group (default seatstream-sink-postgres-<consumer>)
 *   SINK_POSTGRES_HTTP_PORT           /metrics and /health on SEATSTREAM_HTTP_HOST (default 0: any free port)
 *   SINK_POSTGRES_SESSION_TIMEOUT_MS  consumer-group session timeout (default 30000, at least 6000)
 *   SINK_POSTGRES_MAX_BYTES_PER_PARTITION  largest fetch per partition, so the largest transaction (default 1 MiB)
 *   SINK_POSTGRES_MIGRATE             0 to skip applying the database migrations at start (default 1)
 *   SINK_POSTGRES_SHUTDOWN_GRACE_MS   longest graceful stop before exiting anyway (default 30000)
 *
 * PostgreSQL, Kafka and the schema registry come from infra/config.ts.
 */

import { httpHost } from '../../infra/http-host.js';

export interface SinkConfig {
  consumer: string;
  groupId: string;
  httpHost: string;
  httpPort: number;
  sessionTimeoutMs: number;
  maxBytesPerPartition: number;
  migrate: boolean;
  shutdownGraceMs: number;
}

export class SinkConfigError extends Error {
  readonly code = 'SS_ERR_SINK_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'SS_ERR_SINK_CONFIG';
  }
}

const namePattern = /^[A-Za-z0-9._-]{1,100}$/;

export function loadSinkConfig(env: NodeJS.ProcessEnv = process.env): SinkConfig {
  const text = (name: string, fallback: string): string => env[name]?.trim() || fallback;
  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new SinkConfigError(`${name} must be an integer in [${min}, ${max}] (got '${raw}')`);
    return n;
  };
  const name = (variable: string, fallback: string): string => {
    const v = text(variable, fallback);
    if (!namePattern.test(v)) throw new SinkConfigError(`${variable} must match ${namePattern.source} (got '${v}')`);
    return v;
  };
  const consumer = name('SINK_POSTGRES_CONSUMER', 'read-models');
  const migrate = text('SINK_POSTGRES_MIGRATE', '1');
  if (migrate !== '0' && migrate !== '1')
    throw new SinkConfigError(`SINK_POSTGRES_MIGRATE must be 0 or 1 (got '${migrate}')`);
  return {
    consumer,
    groupId: name('SINK_POSTGRES_GROUP_ID', `seatstream-sink-postgres-${consumer}`),
    httpHost: httpHost(env),
    httpPort: integer('SINK_POSTGRES_HTTP_PORT', 0, 0, 65535),
    sessionTimeoutMs: integer('SINK_POSTGRES_SESSION_TIMEOUT_MS', 30_000, 6_000),
    maxBytesPerPartition: integer('SINK_POSTGRES_MAX_BYTES_PER_PARTITION', 1024 * 1024, 1024),
    migrate: migrate === '1',
    shutdownGraceMs: integer('SINK_POSTGRES_SHUTDOWN_GRACE_MS', 30_000, 0),
  };
}
