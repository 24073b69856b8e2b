/**
 * Settings of bookings and live push, from the environment (the one place that reads them):
 *
 *   API_REPLICA_ID                 this replica's name in reply-to headers and logs (default: host name + random suffix)
 *   BOOKINGS_DECISION_WAIT_MS      how long a booking request waits for its decision before answering 202 (default 2000;
 *                                  0 answers 202 at once)
 *   BOOKINGS_REPLY_CHANNEL         `replica` (default): the replica relies on reply:<replicaId> alone (the allocator
 *                                  copies the command's reply-to header to its decisions, see README.md);
 *                                  `request`: it also subscribes to decision:<requestId> while it waits
 *   BOOKINGS_PRODUCE_TIMEOUT_MS    longest wait for Kafka to acknowledge a command before answering 503 (default 5000)
 *   PUSH_CHANNEL_PREFIX            Redis channel prefix shared with the push router (default ss:push:)
 *   PUSH_HEARTBEAT_MS              WebSocket ping interval; a connection that missed a pong is dropped (default 25000)
 *   PUSH_AUTH_TIMEOUT_MS           time a connection has to authenticate with its first message (default 10000)
 *   PUSH_MAX_QUEUED_PERSONAL       personal events queued for a slow connection before it is closed (default 256)
 *   PUSH_HIGH_WATER_BYTES          bytes buffered in a socket above which nothing more is sent to it (default 262144)
 *   PUSH_MAX_SUBSCRIPTIONS         availability subscriptions per connection (default 20)
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { channelPrefixFrom, isChannelId } from '../../connectors/push-router/channels.js';

export type ReplyChannelMode = 'request' | 'replica';

export interface PushConfig {
  heartbeatMs: number;
  authTimeoutMs: number;
  maxQueuedPersonal: number;
  highWaterBytes: number;
  maxSubscriptions: number;
}

export interface BookingsConfig {
  replicaId: string;
  decisionWaitMs: number;
  replyChannel: ReplyChannelMode;
  produceTimeoutMs: number;
  channelPrefix: string;
  push: PushConfig;
}

export function loadBookingsConfig(env: NodeJS.ProcessEnv = process.env): BookingsConfig {
  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new Error(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
    return n;
  };
  const replicaId =
    env.API_REPLICA_ID?.trim() ||
    `${
      hostname()
        .replace(/[^A-Za-z0-9_.-]/g, '-')
        .slice(0, 60) || 'api'
    }-${randomBytes(4).toString('hex')}`;
  if (!isChannelId(replicaId))
    throw new Error(`API_REPLICA_ID must match [A-Za-z0-9][A-Za-z0-9_.:@-]*, got ${replicaId}`);
  const mode = env.BOOKINGS_REPLY_CHANNEL?.trim() || 'replica';
  if (mode !== 'request' && mode !== 'replica')
    throw new Error(`BOOKINGS_REPLY_CHANNEL must be request or replica, got ${JSON.stringify(mode)}`);
  return {
    replicaId,
    decisionWaitMs: integer('BOOKINGS_DECISION_WAIT_MS', 2_000, 0, 60_000),
    replyChannel: mode,
    produceTimeoutMs: integer('BOOKINGS_PRODUCE_TIMEOUT_MS', 5_000, 100),
    channelPrefix: channelPrefixFrom(env),
    push: {
      heartbeatMs: integer('PUSH_HEARTBEAT_MS', 25_000, 100),
      authTimeoutMs: integer('PUSH_AUTH_TIMEOUT_MS', 10_000, 100),
      maxQueuedPersonal: integer('PUSH_MAX_QUEUED_PERSONAL', 256, 1),
      highWaterBytes: integer('PUSH_HIGH_WATER_BYTES', 256 * 1024, 1),
      maxSubscriptions: integer('PUSH_MAX_SUBSCRIPTIONS', 20, 1),
    },
  };
}
