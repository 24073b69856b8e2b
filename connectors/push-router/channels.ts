/**
 * The Redis pub/sub contract between the push router (which publishes) and the API replicas (which subscribe):
 * channel names, the command header that names the replica waiting for a decision, and the payloads. The one place
 * for these facts; both sides import it.
 *
 * Channels (all under one prefix, `PUSH_CHANNEL_PREFIX`, default `ss:push:`):
 *   reply:<replicaId>      decisions of the commands a replica sent, when the decision carries the replica's
 *                          `seatstream-reply-to` header (one long-lived subscription per replica)
 *   decision:<requestId>   a decision without reply-to header; the replica waiting for it subscribes while it waits
 *   user:<buyerId>         every non-replayed decision about a buyer's holds and bookings (the WebSocket `me` topic)
 *   availability:<eventId> every availability snapshot of an event (the WebSocket `availability` topic)
 */
import type { AvailabilityView } from '../../processors/seat-allocation/availabilityView.js';
import type { ReservationDecision } from '../../processors/seat-allocation/model.js';

/** Kafka header of a command naming the API replica that waits for its decision (the allocator copies it to the decision). */
export { REPLY_TO_HEADER } from '../../processors/seat-allocation/headers.js';

export const DEFAULT_CHANNEL_PREFIX = 'ss:push:';

/** Ids that may appear in a channel name: what the API accepts for event ids, request ids, user and replica ids. */
const channelId = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/;

export const isChannelId = (id: string): boolean => channelId.test(id);

export interface Channels {
  readonly prefix: string;
  reply(replicaId: string): string;
  decision(requestId: string): string;
  user(buyerId: string): string;
  availability(eventId: string): string;
}

export function channelsFor(prefix: string = DEFAULT_CHANNEL_PREFIX): Channels {
  return {
    prefix,
    reply: (replicaId) => `${prefix}reply:${replicaId}`,
    decision: (requestId) => `${prefix}decision:${requestId}`,
    user: (buyerId) => `${prefix}user:${buyerId}`,
    availability: (eventId) => `${prefix}availability:${eventId}`,
  };
}

/** The channel prefix from the environment (`PUSH_CHANNEL_PREFIX`), shared by the router and the API. */
export function channelPrefixFrom(env: NodeJS.ProcessEnv): string {
  const v = env.PUSH_CHANNEL_PREFIX?.trim();
  if (!v) return DEFAULT_CHANNEL_PREFIX;
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(v))
    throw new Error(`PUSH_CHANNEL_PREFIX must match [A-Za-z0-9_.:-]{1,64} (got '${v}')`);
  return v;
}

/// Payloads (JSON), versioned so that a router and replicas of different releases can run side by side.

/** A decision of the seat allocator as the domain model has it (epoch milliseconds, minor units). */
export interface DecisionMessage {
  v: 1;
  kind: 'decision';
  decision: ReservationDecision;
}

/** An availability snapshot in its JSON form (packed seat states in base64). */
export interface AvailabilityMessage {
  v: 1;
  kind: 'availability';
  availability: AvailabilityView;
}

/** A notification for one user (processors/notifications publishes it on that user's channel). */
export interface NotificationMessage {
  v: 1;
  kind: 'notification';
  notification: {
    id: string;
    kind: string;
    locale: string;
    direction: string;
    title: string;
    body: string;
    eventId: string | null;
    holdId: string | null;
    bookingId: string | null;
    occurredAt: number;
  };
}

export type PushMessage = DecisionMessage | AvailabilityMessage | NotificationMessage;

/** Parses a payload published by the router; null for anything else (an older or newer format, garbage). */
export function parsePushMessage(text: string): PushMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const m = value as {
    v?: unknown;
    kind?: unknown;
    decision?: { type?: unknown };
    availability?: { eventId?: unknown; version?: unknown };
    notification?: { id?: unknown; title?: unknown; body?: unknown };
  };
  if (m.v !== 1) return null;
  if (
    m.kind === 'decision' &&
    typeof m.decision === 'object' &&
    m.decision !== null &&
    typeof m.decision.type === 'string'
  )
    return value as DecisionMessage;
  if (
    m.kind === 'availability' &&
    typeof m.availability === 'object' &&
    m.availability !== null &&
    typeof m.availability.eventId === 'string' &&
    typeof m.availability.version === 'number'
  )
    return value as AvailabilityMessage;
  if (
    m.kind === 'notification' &&
    typeof m.notification === 'object' &&
    m.notification !== null &&
    typeof m.notification.id === 'string' &&
    typeof m.notification.title === 'string' &&
    typeof m.notification.body === 'string'
  )
    return value as NotificationMessage;
  return null;
}
