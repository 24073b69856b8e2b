/**
 * Request ids of booking commands, derived rather than random, so that a retried HTTP request becomes the same
 * command and the allocator answers it with the decision it remembers (`replay: true`):
 *
 *   hold     hash(buyerId, Idempotency-Key)   the client's key names the attempt
 *   release  hash(buyerId, holdId)            DELETE is idempotent by itself: one release per hold and buyer
 *   cancel   hash(buyerId, bookingId)
 *
 * Each hash is SHA-256 over a tag naming the operation and the parts (NUL-separated), shaped as a UUID version 8
 * (RFC 9562 §5.8, the custom/name-based layout): it fits every place a UUID does, and since hold and booking ids are
 * derived from request ids (`H-<requestId>`, `B-<requestId>`), theirs too. The buyer is part of the hash, so two
 * buyers using the same key never share a request.
 */
import { createHash } from 'node:crypto';

export type Operation = 'hold' | 'release' | 'cancel';

export function uuidV8(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80; // version 8
  b[8] = (b[8]! & 0x3f) | 0x80; // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function requestIdFor(operation: Operation, buyerId: string, key: string): string {
  return uuidV8(createHash('sha256').update(`seatstream/${operation}/v1\0${buyerId}\0${key}`).digest());
}

/**
 * The Idempotency-Key header's value (draft-ietf-httpapi-idempotency-key-header: a structured-field string, so
 * quotes are optional here), or null when it is not acceptable: 8 to 255 visible ASCII characters, no quote or
 * backslash inside.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  const v = header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
  return /^[\x21\x23-\x5b\x5d-\x7e]{8,255}$/.test(v) ? v : null;
}

/** A stable digest of what a request asks (its event and parameters), to tell a retry from a reused key. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('base64url');
}

/** JSON with object keys sorted, so that the same request always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The request id a hold or booking id was derived from (the inverse of model.ts's holdIdFor / bookingIdFor). */
export const requestIdOfHold = (holdId: string): string | null => (holdId.startsWith('H-') ? holdId.slice(2) : null);
export const requestIdOfBooking = (bookingId: string): string | null =>
  bookingId.startsWith('B-') ? bookingId.slice(2) : null;
