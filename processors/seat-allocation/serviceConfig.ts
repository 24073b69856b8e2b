/**
 * The seat-allocation service's settings, from the environment (the one place that reads them):
 *
 *   SEAT_ALLOCATION_INSTANCE_ID        this instance's name (default: the host name); two instances
 *                                      on one machine need different ones (they own a state directory)
 *   SEAT_ALLOCATION_STATE_DIR          RocksDB stores (default .stack/state/seat-allocation/<instance id>)
 *   SEAT_ALLOCATION_COMMIT_INTERVAL_MS longest wait for a commit while a batch is processed (default 100)
 *   SEAT_ALLOCATION_HTTP_PORT          /metrics, /health, availability reads on SEATSTREAM_HTTP_HOST (default 0: any)
 *   SEAT_ALLOCATION_EXPIRY_INTERVAL_MS hold-expiry sweep (default 1000)
 *   SEAT_ALLOCATION_CACHED_EVENTS      event inventories kept in memory per task (default 100)
 *   SEAT_ALLOCATION_SESSION_TIMEOUT_MS consumer-group session timeout (default: the runtime's, 10 s)
 *   SEAT_ALLOCATION_APPLICATION_ID     application id (default seat-allocation; tests use a random one)
 *   SEAT_ALLOCATION_AUTO_OFFSET_RESET  where a task starts on a partition its group has no committed offset for:
 *                                      earliest (default: the whole log, every command decided) or latest
 *
 * Kafka and the schema registry come from infra/config.ts.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { stackDir } from '../../infra/config.js';
import { httpHost } from '../../infra/http-host.js';
import { APPLICATION_ID } from './topology.js';

export interface ServiceConfig {
  applicationId: string;
  instanceId: string;
  stateDir: string;
  commitIntervalMs: number;
  httpHost: string;
  httpPort: number;
  expiryIntervalMs: number;
  maxCachedEvents: number;
  sessionTimeoutMs: number | undefined;
  autoOffsetReset: 'earliest' | 'latest';
}

export class ServiceConfigError extends Error {
  readonly code = 'SS_ERR_SEAT_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'SS_ERR_SEAT_CONFIG';
  }
}

const namePattern = /^[A-Za-z0-9._-]+$/;

export function serviceConfig(env: NodeJS.ProcessEnv, host: string = hostname()): ServiceConfig {
  const text = (name: string, fallback: string): string => {
    const v = env[name]?.trim();
    return v ? v : fallback;
  };
  const integer = (name: string, fallback: number, min: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min)
      throw new ServiceConfigError(`${name} must be an integer >= ${min} (got '${raw}')`);
    return n;
  };
  const name = (variable: string, fallback: string): string => {
    const v = text(variable, fallback);
    if (!namePattern.test(v)) throw new ServiceConfigError(`${variable} must match ${namePattern.source} (got '${v}')`);
    return v;
  };
  const instanceId = name('SEAT_ALLOCATION_INSTANCE_ID', host.replace(/[^A-Za-z0-9._-]/g, '-') || 'local');
  const port = integer('SEAT_ALLOCATION_HTTP_PORT', 0, 0);
  if (port > 65535) throw new ServiceConfigError(`SEAT_ALLOCATION_HTTP_PORT must be <= 65535 (got ${port})`);
  const sessionTimeout = env.SEAT_ALLOCATION_SESSION_TIMEOUT_MS?.trim();
  const reset = text('SEAT_ALLOCATION_AUTO_OFFSET_RESET', 'earliest');
  if (reset !== 'earliest' && reset !== 'latest')
    throw new ServiceConfigError(`SEAT_ALLOCATION_AUTO_OFFSET_RESET must be earliest or latest (got '${reset}')`);
  return {
    applicationId: name('SEAT_ALLOCATION_APPLICATION_ID', APPLICATION_ID),
    instanceId,
    stateDir: text('SEAT_ALLOCATION_STATE_DIR', join(stackDir, 'state', 'seat-allocation', instanceId)),
    commitIntervalMs: integer('SEAT_ALLOCATION_COMMIT_INTERVAL_MS', 100, 1),
    httpHost: httpHost(env),
    httpPort: port,
    expiryIntervalMs: integer('SEAT_ALLOCATION_EXPIRY_INTERVAL_MS', 1000, 10),
    maxCachedEvents: integer('SEAT_ALLOCATION_CACHED_EVENTS', 100, 1),
    sessionTimeoutMs: sessionTimeout ? integer('SEAT_ALLOCATION_SESSION_TIMEOUT_MS', 0, 6000) : undefined,
    autoOffsetReset: reset,
  };
}
