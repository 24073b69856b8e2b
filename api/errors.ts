/**
 * Every error the API can answer, in one table: a stable code (`SS_ERR_<AREA>_<WHAT>`), its HTTP
 * status and a default message. Codes are a public contract: clients branch on them, so a code is
 * never renamed or reused for another meaning; add a new one instead.
 *
 * The body of every error response is `{ code, message }` (see `ErrorBody` in http/schemas.ts).
 */

export const errorCatalog = {
  // generic
  SS_ERR_VALIDATION: { status: 400, message: 'the request does not match the schema' },
  SS_ERR_MALFORMED_JSON: { status: 400, message: 'the body is not valid JSON' },
  SS_ERR_BAD_REQUEST: { status: 400, message: 'the request is malformed' },
  SS_ERR_NOT_FOUND: { status: 404, message: 'no such route' },
  SS_ERR_METHOD_NOT_ALLOWED: { status: 405, message: 'this route does not take that method' },
  SS_ERR_BODY_TOO_LARGE: { status: 413, message: 'the body is too large' },
  SS_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'unsupported content type' },
  SS_ERR_INTERNAL: { status: 500, message: 'internal error' },
  SS_ERR_UNAVAILABLE: { status: 503, message: 'a backing service is unavailable' },
  SS_ERR_NOT_READY: { status: 503, message: 'not ready' },
  SS_ERR_FEATURE_DISABLED: { status: 503, message: 'this feature is switched off' },
  // auth: credentials, tokens, second factor, limits
  SS_ERR_AUTH_EMAIL_TAKEN: { status: 409, message: 'an account already uses this e-mail' },
  SS_ERR_AUTH_INVALID_CREDENTIALS: { status: 401, message: 'wrong e-mail or password' },
  SS_ERR_AUTH_RATE_LIMITED: { status: 429, message: 'too many attempts, try again later' },
  SS_ERR_AUTH_TOKEN_MISSING: { status: 401, message: 'a bearer access token is required' },
  SS_ERR_AUTH_TOKEN_INVALID: { status: 401, message: 'the access token is invalid' },
  SS_ERR_AUTH_TOKEN_EXPIRED: { status: 401, message: 'the access token has expired' },
  SS_ERR_AUTH_TOKEN_REVOKED: { status: 401, message: 'the access token has been revoked' },
  SS_ERR_AUTH_REFRESH_INVALID: { status: 401, message: 'the refresh token is invalid or expired' },
  SS_ERR_AUTH_REFRESH_REUSED: { status: 401, message: 'the refresh token was already used; the session is revoked' },
  SS_ERR_AUTH_MFA_TOKEN_INVALID: { status: 401, message: 'the second-factor session is invalid or expired' },
  SS_ERR_AUTH_MFA_CODE_INVALID: { status: 401, message: 'the second-factor code is wrong' },
  SS_ERR_AUTH_MFA_REQUIRED: { status: 403, message: 'this role requires a verified second factor (TOTP)' },
  SS_ERR_AUTH_MFA_ALREADY_ENROLLED: { status: 409, message: 'TOTP is already active on this account' },
  SS_ERR_AUTH_MFA_NOT_PENDING: { status: 409, message: 'no TOTP enrolment is pending; start one first' },
  SS_ERR_AUTH_FORBIDDEN: { status: 403, message: 'this role may not do that' },
  // accounts and administration
  SS_ERR_USER_NOT_FOUND: { status: 404, message: 'no such user' },
  SS_ERR_ADMIN_SELF_ROLE_CHANGE: { status: 409, message: 'an admin cannot change their own role' },
  // bookings (refusals of the seat allocator itself are decisions with RSV_* codes: api/bookings/answers.ts)
  SS_ERR_BOOKING_IDEMPOTENCY_KEY_MISSING: { status: 400, message: 'an Idempotency-Key header is required' },
  SS_ERR_BOOKING_IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    message: 'the Idempotency-Key header must be 8 to 255 visible ASCII characters',
  },
  SS_ERR_BOOKING_IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'this Idempotency-Key was used for another request' },
  SS_ERR_BOOKING_HOLD_NOT_FOUND: { status: 404, message: 'no such hold' },
  SS_ERR_BOOKING_NOT_FOUND: { status: 404, message: 'no such booking' },
  SS_ERR_BOOKING_REQUEST_NOT_FOUND: { status: 404, message: 'no such booking request' },
  // live push (GET /v1/ws): HTTP answers before the upgrade, then codes of error messages and close frames
  SS_ERR_PUSH_UPGRADE_REQUIRED: { status: 426, message: 'this route speaks WebSocket only' },
  SS_ERR_PUSH_BAD_MESSAGE: { status: 400, message: 'the message is not one the gateway understands' },
  SS_ERR_PUSH_UNAUTHENTICATED: { status: 401, message: 'authenticate first: a valid access token is required' },
  SS_ERR_PUSH_TOO_MANY_SUBSCRIPTIONS: { status: 429, message: 'too many subscriptions on this connection' },
  SS_ERR_PUSH_SLOW_CONSUMER: { status: 429, message: 'the client did not read fast enough; reconnect and resync' },
  // catalog: venues, events, search, read models
  SS_ERR_EVENT_NOT_FOUND: { status: 404, message: 'no such event' },
  SS_ERR_VENUE_NOT_FOUND: { status: 404, message: 'no such venue' },
  SS_ERR_AVAILABILITY_NOT_FOUND: { status: 404, message: 'no availability has been published for this event yet' },
  SS_ERR_CATALOG_NOT_OWNER: { status: 403, message: 'this venue or event belongs to another organizer' },
  SS_ERR_CATALOG_INVALID_DEFINITION: { status: 422, message: 'the seat map or the event definition is inconsistent' },
  SS_ERR_CATALOG_EVENT_CANCELLED: { status: 409, message: 'the event is cancelled and can no longer change' },
  SS_ERR_CATALOG_NOT_PUBLISHED: { status: 409, message: 'the event is a draft: publish it first' },
  SS_ERR_INVALID_CURSOR: { status: 400, message: 'the pagination cursor is invalid' },
  // checkout, payments, tickets, check-in, notifications
  SS_ERR_CHECKOUT_DECLINED: { status: 402, message: 'the payment was declined; the seats are back on sale' },
  SS_ERR_CHECKOUT_PAYMENT_REFUSED: { status: 422, message: 'the payment provider refused the payment request' },
  SS_ERR_CHECKOUT_PROVIDER_TIMEOUT: { status: 504, message: 'the payment provider did not answer in time' },
  SS_ERR_CHECKOUT_PROVIDER_UNAVAILABLE: { status: 503, message: 'the payment provider is unavailable' },
  SS_ERR_CHECKOUT_CIRCUIT_OPEN: {
    status: 503,
    message: 'payments are failing fast while the provider is down; try again later',
  },
  SS_ERR_CHECKOUT_HOLD_EXPIRED: { status: 409, message: 'the hold expired before it was paid' },
  SS_ERR_CHECKOUT_HOLD_NOT_FOUND: { status: 404, message: 'no such live hold of yours' },
  SS_ERR_CHECKOUT_REJECTED: { status: 409, message: 'the hold could not become a booking' },
  SS_ERR_CHECKOUT_CAPTURE_FAILED: {
    status: 402,
    message: 'the payment could not be captured; the booking was cancelled',
  },
  SS_ERR_CHECKOUT_UNKNOWN_PROVIDER: { status: 400, message: 'no such payment provider is configured' },
  SS_ERR_CHECKOUT_NOT_FOUND: { status: 404, message: 'no checkout of yours for this hold' },
  SS_ERR_PAYMENT_WEBHOOK_SIGNATURE: { status: 400, message: 'the webhook signature is missing or wrong' },
  SS_ERR_TICKET_NOT_FOUND: { status: 404, message: 'no such ticket of yours' },
  SS_ERR_CHECKIN_FORGED: { status: 422, message: 'the ticket is not signed by SeatStream' },
  SS_ERR_CHECKIN_ALREADY_USED: { status: 409, message: 'the ticket was already scanned' },
  SS_ERR_CHECKIN_CANCELLED: { status: 409, message: 'the ticket is cancelled' },
  SS_ERR_CHECKIN_UNKNOWN_TICKET: { status: 404, message: 'the ticket is signed but unknown' },
  SS_ERR_CHECKIN_WRONG_EVENT: { status: 409, message: 'the ticket is for another event' },
  // live streaming: stream tokens (POST /v1/events/:eventId/stream-token), then the streaming service's signalling
  // WebSocket (GET /v1/stream/ws, api/streaming): answers to its requests and codes of its close frames
  SS_ERR_STREAM_NO_TICKET: { status: 403, message: 'no confirmed booking of yours for this event' },
  SS_ERR_STREAM_NOT_ORGANIZER: {
    status: 403,
    message: 'only the organizer of this event (or an admin) may broadcast it',
  },
  SS_ERR_STREAM_TOKEN_INVALID: { status: 401, message: 'the stream token is invalid' },
  SS_ERR_STREAM_TOKEN_EXPIRED: { status: 401, message: 'the stream token has expired; ask for a new one' },
  SS_ERR_STREAM_TOKEN_NOT_YOURS: { status: 403, message: 'the stream token was issued to another user' },
  SS_ERR_STREAM_WRONG_EVENT: { status: 403, message: 'the stream token is for another event' },
  SS_ERR_STREAM_BOOKING_CANCELLED: { status: 403, message: 'the booking that gave access to this stream is cancelled' },
  SS_ERR_STREAM_UNAUTHENTICATED: { status: 401, message: 'authenticate first: a valid access token is required' },
  SS_ERR_STREAM_BAD_MESSAGE: { status: 400, message: 'the message is not one the streaming service understands' },
  SS_ERR_STREAM_NOT_JOINED: { status: 409, message: 'join a stream first' },
  SS_ERR_STREAM_ALREADY_JOINED: { status: 409, message: 'this connection has already joined a stream' },
  SS_ERR_STREAM_FORBIDDEN: { status: 403, message: 'this role may not do that in a stream' },
  SS_ERR_STREAM_BROADCAST_TAKEN: { status: 409, message: 'another broadcaster is live on this event' },
  SS_ERR_STREAM_MEDIA_REFUSED: { status: 422, message: 'the media parameters were refused' },
  // partners: onboarding of Kafka subscribers (api/partners)
  SS_ERR_PARTNER_NOT_FOUND: { status: 404, message: 'no such partner' },
  SS_ERR_PARTNER_EXISTS: { status: 409, message: 'a partner with this id exists or existed (ids are never reused)' },
  SS_ERR_PARTNER_ID_REFUSED: { status: 422, message: 'this partner id is reserved' },
  SS_ERR_PARTNER_STATE: { status: 409, message: "the partner's status does not allow this" },
  SS_ERR_PARTNER_KAFKA_UNAVAILABLE: { status: 503, message: 'Kafka did not apply the change; repeat the request' },
} as const satisfies Record<`SS_ERR_${string}`, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;

export const statusOf = (code: ErrorCode): number => errorCatalog[code].status;

/** A failure that is not a decision: bad input, auth, a missing resource. Thrown from handlers, answered as `{code, message}`. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string = errorCatalog[code].message,
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
    this.status = statusOf(code);
  }
}

export const apiError = (code: ErrorCode, message?: string, headers?: Record<string, string>) =>
  new ApiError(code, message, headers);

export const rateLimited = (retryAfterSec: number) =>
  new ApiError('SS_ERR_AUTH_RATE_LIMITED', undefined, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSec))) });

/** What any thrown value turns into on the wire. */
export interface ErrorResponse {
  status: number;
  body: { code: ErrorCode; message: string };
  headers: Record<string, string>;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  validation?: unknown;
  validationContext?: unknown;
  message?: unknown;
}

/** Fastify's own error codes for bad input, mapped to ours (fastify lib/errors.js). */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'SS_ERR_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'SS_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'SS_ERR_BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'SS_ERR_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'SS_ERR_MALFORMED_JSON',
  FST_ERR_VALIDATION: 'SS_ERR_VALIDATION',
  FST_ERR_BAD_URL: 'SS_ERR_BAD_REQUEST',
  FST_ERR_NOT_FOUND: 'SS_ERR_NOT_FOUND',
};

/**
 * Maps anything thrown during a request to the response: our `ApiError`s as they are, Fastify's
 * bad-input errors to 4xx codes, JSON syntax errors to `SS_ERR_MALFORMED_JSON`, and everything else
 * to `SS_ERR_INTERNAL` without leaking its message.
 */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof ApiError)
    return { status: err.status, body: { code: err.code, message: err.message }, headers: err.headers };
  const e = (typeof err === 'object' && err !== null ? err : {}) as FastifyLikeError;
  if (e.validation !== undefined) {
    return generic('SS_ERR_VALIDATION', typeof e.message === 'string' ? e.message : undefined);
  }
  const mapped = typeof e.code === 'string' ? fastifyCodes[e.code] : undefined;
  if (mapped)
    return generic(mapped, mapped === 'SS_ERR_VALIDATION' && typeof e.message === 'string' ? e.message : undefined);
  if (isBackingServiceDown(err)) return generic('SS_ERR_UNAVAILABLE');
  // secure-json-parse and JSON.parse throw SyntaxError (with statusCode 400 set by Fastify's parser).
  if (err instanceof SyntaxError) return generic('SS_ERR_MALFORMED_JSON');
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) return generic('SS_ERR_BODY_TOO_LARGE');
  if (status === 415) return generic('SS_ERR_UNSUPPORTED_MEDIA_TYPE');
  if (status >= 400 && status < 500) return generic('SS_ERR_BAD_REQUEST');
  return generic('SS_ERR_INTERNAL');
}

/**
 * Errors that mean PostgreSQL or Redis cannot be reached (not that a query was wrong): the request
 * may succeed later, so the answer is 503, not 500.
 */
export function isBackingServiceDown(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, name, message } = err as { code?: unknown; name?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', '57P01', '57P03', '53300'].includes(code)
  )
    return true;
  if (name === 'MaxRetriesPerRequestError') return true; // ioredis gave up on a command
  return (
    typeof message === 'string' &&
    /^(Command timed out|Connection is closed\.|Stream isn't writeable|timeout exceeded when trying to connect|Connection terminated)/.test(
      message,
    )
  );
}

const generic = (code: ErrorCode, message?: string): ErrorResponse => ({
  status: statusOf(code),
  body: { code, message: message ?? errorCatalog[code].message },
  headers: {},
});
