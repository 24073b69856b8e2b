/**
 * The WebSocket protocol of GET /v1/ws (subprotocol `seatstream.v1`), JSON text frames both ways.
 *
 * Authentication, one of:
 *   - the handshake offers the subprotocols `seatstream.v1` and `bearer.<access token>` (browsers cannot set an
 *     Authorization header on a WebSocket; the URL would end up in logs, so no token there);
 *   - the first message is `{type: 'auth', token}` (within PUSH_AUTH_TIMEOUT_MS). Sent again later with a fresh token
 *     of the same user, it extends the connection past the first token's expiry.
 *
 * Client → server                                     Server → client
 *   {type:'auth', token}                                {type:'ready', connectionId, userId, heartbeatMs, expiresAt}
 *   {type:'subscribe', topic:'availability', eventId}   {type:'subscribed', topic, eventId?}
 *   {type:'subscribe', topic:'me'}                      {type:'unsubscribed', topic, eventId?}
 *   {type:'unsubscribe', topic, eventId?}               {type:'availability', eventId, availability}  (latest wins)
 *   {type:'ping', id?}                                  {type:'me', decision}   (own holds and bookings, in order)
 *                                                       {type:'pong', id?}
 *                                                       {type:'error', code, message}
 *
 * Close codes: 4401 not or no longer authenticated (SS_ERR_PUSH_UNAUTHENTICATED), 4429 the client did not read fast
 * enough (SS_ERR_PUSH_SLOW_CONSUMER: reconnect and resync from GET /v1/me/holds), 1001 the server is going away
 * (reconnect, another replica will take it), 1009 message too big. A connection that misses a heartbeat pong is
 * dropped without close frame.
 */
import type { ErrorCode } from '../errors.js';

export const SUBPROTOCOL = 'seatstream.v1';
/** Largest client message (bytes); a bigger one ends the connection with 1009. */
export const MAX_MESSAGE_BYTES = 4 * 1024;
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

export type Topic = 'availability' | 'me';

export type ClientMessage =
  | { type: 'auth'; token: string }
  | { type: 'subscribe'; topic: 'availability'; eventId: string }
  | { type: 'subscribe'; topic: 'me' }
  | { type: 'unsubscribe'; topic: 'availability'; eventId: string }
  | { type: 'unsubscribe'; topic: 'me' }
  | { type: 'ping'; id: string | null };

export type ProtocolError = { error: string };

const eventIdPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const tokenPattern = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const pingIdPattern = /^[A-Za-z0-9_.:-]{1,64}$/;

const only = (o: Record<string, unknown>, keys: string[]): string | null => {
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  return extra.length ? `unknown field ${extra[0]}` : null;
};

/** Reads a client message; a description of what is wrong with anything else. */
export function parseClientMessage(text: string): ClientMessage | ProtocolError {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case 'auth': {
      const extra = only(m, ['type', 'token']);
      if (extra) return { error: extra };
      if (typeof m.token !== 'string' || !tokenPattern.test(m.token)) return { error: 'token must be a JWT' };
      return { type: 'auth', token: m.token };
    }
    case 'subscribe':
    case 'unsubscribe': {
      if (m.topic === 'me') {
        const extra = only(m, ['type', 'topic']);
        return extra ? { error: extra } : { type: m.type, topic: 'me' };
      }
      if (m.topic === 'availability') {
        const extra = only(m, ['type', 'topic', 'eventId']);
        if (extra) return { error: extra };
        if (typeof m.eventId !== 'string' || !eventIdPattern.test(m.eventId))
          return { error: 'eventId must be 1 to 128 characters of [A-Za-z0-9_.:-]' };
        return { type: m.type, topic: 'availability', eventId: m.eventId };
      }
      return { error: "topic must be 'availability' or 'me'" };
    }
    case 'ping': {
      const extra = only(m, ['type', 'id']);
      if (extra) return { error: extra };
      if (m.id !== undefined && (typeof m.id !== 'string' || !pingIdPattern.test(m.id)))
        return { error: 'id must be 1 to 64 characters of [A-Za-z0-9_.:-]' };
      return { type: 'ping', id: typeof m.id === 'string' ? m.id : null };
    }
    default:
      return { error: "type must be 'auth', 'subscribe', 'unsubscribe' or 'ping'" };
  }
}

/** The token offered as a `bearer.<token>` subprotocol, if any. */
export function tokenFromProtocols(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  for (const p of header.split(',')) {
    const v = p.trim();
    if (v.startsWith(BEARER_PROTOCOL_PREFIX)) return v.slice(BEARER_PROTOCOL_PREFIX.length);
  }
  return null;
}

/** Close codes of the application range (4000-4999), by error code. */
export const closeCodes = {
  SS_ERR_PUSH_UNAUTHENTICATED: 4401,
  SS_ERR_PUSH_SLOW_CONSUMER: 4429,
} as const satisfies Partial<Record<ErrorCode, number>>;

export const GOING_AWAY = 1001;

export const errorFrame = (code: ErrorCode, message: string): string =>
  JSON.stringify({ type: 'error', code, message });
