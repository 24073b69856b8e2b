/**
 * Settings of the live-streaming service (`npm run streaming`) and of the API's stream tokens, from the environment.
 * The one place that reads `STREAMING_*` and `STREAM_TOKEN_TTL_SEC`; access-token settings (issuer, audience, clock
 * tolerance, the Redis prefix of revocations) are the API's (api/auth/token-settings.ts), since the service verifies
 * the API's access tokens.
 */
import { availableParallelism } from 'node:os';
import { httpHost } from '../../infra/http-host.js';

export interface StreamingConfig {
  host: string;
  port: number;
  /** mediasoup workers (one process each); default: one per core. */
  workers: number;
  /** Address the WebRTC transports listen on. */
  listenIp: string;
  /** Address announced to browsers in ICE candidates (the public one behind NAT); null: `listenIp`. */
  announcedAddress: string | null;
  rtcMinPort: number;
  rtcMaxPort: number;
  /**
   * Peers (broadcaster and viewers) a router takes; further viewers go to another router, on the least busy worker,
   * fed through pipeToRouter. 1 forces every viewer through a pipe (tests).
   */
  peersPerRouter: number;
  /** Upper bound of what a broadcaster may send (bits/s), per transport. */
  maxIncomingBitrate: number;
  /** How long a new connection has to send its `join`. */
  joinTimeoutMs: number;
  heartbeatMs: number;
  shutdownGraceMs: number;
}

export const DEFAULT_STREAMING_PORT = 8095;
/** Stream-token lifetime in seconds: long enough to click "join", short enough that a leaked token soon dies. */
export const DEFAULT_STREAM_TOKEN_TTL_SEC = 300;

const int = (env: NodeJS.ProcessEnv, name: string, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  return n;
};

export function loadStreamingConfig(env: NodeJS.ProcessEnv = process.env): StreamingConfig {
  const config: StreamingConfig = {
    host: env.STREAMING_HOST || httpHost(env),
    port: int(env, 'STREAMING_PORT', DEFAULT_STREAMING_PORT, 0, 65535),
    workers: int(env, 'STREAMING_WORKERS', availableParallelism(), 1, 256),
    listenIp: env.STREAMING_LISTEN_IP || '127.0.0.1',
    announcedAddress: env.STREAMING_ANNOUNCED_ADDRESS || null,
    rtcMinPort: int(env, 'STREAMING_RTC_MIN_PORT', 40000, 1024, 65535),
    rtcMaxPort: int(env, 'STREAMING_RTC_MAX_PORT', 40999, 1024, 65535),
    peersPerRouter: int(env, 'STREAMING_PEERS_PER_ROUTER', 500, 1),
    maxIncomingBitrate: int(env, 'STREAMING_MAX_INCOMING_BITRATE', 3_000_000, 100_000),
    joinTimeoutMs: int(env, 'STREAMING_JOIN_TIMEOUT_MS', 10_000, 100),
    heartbeatMs: int(env, 'STREAMING_HEARTBEAT_MS', 20_000, 1_000),
    shutdownGraceMs: int(env, 'STREAMING_SHUTDOWN_GRACE_MS', 10_000, 0),
  };
  if (config.rtcMinPort > config.rtcMaxPort)
    throw new Error('STREAMING_RTC_MIN_PORT must not exceed STREAMING_RTC_MAX_PORT');
  return config;
}

/** The lifetime of the stream tokens the API signs (`STREAM_TOKEN_TTL_SEC`, 10 s to 1 h). */
export const streamTokenTtlSec = (env: NodeJS.ProcessEnv = process.env): number =>
  int(env, 'STREAM_TOKEN_TTL_SEC', DEFAULT_STREAM_TOKEN_TTL_SEC, 10, 3600);
