/**
 * Reading kafkajs errors. kafkajs 2.2.4 predates PRODUCER_FENCED (error code 90, KIP-588): it shows
 * up as an unknown code; older protocol versions report INVALID_PRODUCER_EPOCH (47) instead.
 */
const FENCED_CODES = new Set([47, 90]);
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

const causes = function* (err: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (!err || typeof err !== 'object' || depth > 8) return;
  const e = err as Record<string, unknown>;
  yield e;
  yield* causes(e.cause, depth + 1);
  yield* causes(e.originalError, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* causes(inner, depth + 1);
};

export const isFencedError = (err: unknown): boolean => {
  for (const e of causes(err)) {
    if (typeof e.type === 'string' && FENCED_TYPES.has(e.type)) return true;
    if (typeof e.code === 'number' && FENCED_CODES.has(e.code) && e.name === 'KafkaJSProtocolError') return true;
  }
  return false;
};
