/**
 * Kafka header names on the allocator's input and output records. A module of constants only (no imports, no
 * environment), so the allocator and the push-router/API contract (connectors/push-router/channels.ts re-exports
 * REPLY_TO_HEADER) share them without pulling in each other's settings.
 */

/** Header naming the application and task that wrote an output record (`<applicationId>/<taskId>`). */
export const ORIGIN_HEADER = 'seatstream-origin';
/** W3C trace context, copied from a command to its decisions. */
export const TRACEPARENT_HEADER = 'traceparent';
/** Kafka header of a command naming the API replica that waits for its decision (copied to the decision). */
export const REPLY_TO_HEADER = 'seatstream-reply-to';
