/**
 * Poison records go to `<source topic>.dlq` (name from the topic catalog) with the source's key,
 * value and headers unchanged and the reason in these headers. Written inside the task's
 * transaction, so a dead letter is committed exactly once, together with the offset that skips it.
 * The dead letter keeps its partition number when the DLQ has as many partitions as the source.
 */
import type { ConsumedRecord, OutgoingRecord } from './client.js';

/** Header names: stable, read by operators' tools. */
export const dlqHeaders = {
  code: 'dlq.error.code',
  message: 'dlq.error.message',
  exception: 'dlq.error.class',
  attempts: 'dlq.error.attempts',
  topic: 'dlq.source.topic',
  partition: 'dlq.source.partition',
  offset: 'dlq.source.offset',
  timestamp: 'dlq.source.timestamp',
} as const;

/**
 * SS_ERR_RUNTIME_DESERIALIZATION: the key or value could not be decoded (not retried).
 * SS_ERR_RUNTIME_PROCESSING: the processors threw on every attempt.
 */
export type DeadLetterCode = 'SS_ERR_RUNTIME_DESERIALIZATION' | 'SS_ERR_RUNTIME_PROCESSING';

const maxMessageLength = 2000;

export const describeError = (err: unknown): { name: string; message: string } =>
  err instanceof Error ? { name: err.name, message: err.message } : { name: typeof err, message: String(err) };

export const deadLetterRecord = (
  dlq: { topic: string; partition: number | undefined },
  source: { topic: string; partition: number },
  record: ConsumedRecord,
  code: DeadLetterCode,
  error: unknown,
  attempts: number,
): OutgoingRecord => {
  const { name, message } = describeError(error);
  return {
    topic: dlq.topic,
    partition: dlq.partition,
    key: record.key,
    value: record.value,
    timestamp: record.timestamp,
    headers: {
      ...record.headers,
      [dlqHeaders.code]: code,
      [dlqHeaders.message]: message.length > maxMessageLength ? `${message.slice(0, maxMessageLength)}…` : message,
      [dlqHeaders.exception]: name,
      [dlqHeaders.attempts]: String(attempts),
      [dlqHeaders.topic]: source.topic,
      [dlqHeaders.partition]: String(source.partition),
      [dlqHeaders.offset]: String(record.offset),
      [dlqHeaders.timestamp]: String(record.timestamp),
    },
  };
};
