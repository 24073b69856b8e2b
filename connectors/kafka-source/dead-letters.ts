/**
 * Dead letters of sinks: the source record's key, value and headers unchanged, the reason in headers, on the
 * source topic's dead-letter topic (`dlqFor` in topics/catalog.ts), same partition number. The header names are
 * the processor runtime's (processors/runtime/dead-letter.ts), so operators read every DLQ the same way.
 *
 * A sink writes its dead letters before it commits the offsets that skip them: after a crash in between, a dead
 * letter may be written twice (at least once), never lost.
 */
import type { Message } from 'kafkajs';
import { dlqHeaders } from '../../processors/runtime/dead-letter.js';
import type { SourceRecord } from './records.js';

/** The header names, one place for the whole platform: the runtime's. */
export const deadLetterHeaders = dlqHeaders;

/** A record a sink cannot write, and why. `code` is stable (e.g. a SerdeError code, SS_ERR_SINK_*). */
export interface DeadLetter {
  record: SourceRecord;
  code: string;
  error: unknown;
}

const maxMessageLength = 2_000;

export function deadLetterMessage(d: DeadLetter): Message & { partition: number } {
  const { record } = d;
  const name = d.error instanceof Error ? d.error.name : typeof d.error;
  const text = d.error instanceof Error ? d.error.message : String(d.error);
  return {
    partition: record.partition,
    key: record.key,
    value: record.value,
    timestamp: String(record.timestamp),
    headers: {
      ...record.headers,
      [deadLetterHeaders.code]: d.code,
      [deadLetterHeaders.message]: text.length > maxMessageLength ? `${text.slice(0, maxMessageLength)}…` : text,
      [deadLetterHeaders.exception]: name,
      [deadLetterHeaders.attempts]: '1',
      [deadLetterHeaders.topic]: record.topic,
      [deadLetterHeaders.partition]: String(record.partition),
      [deadLetterHeaders.offset]: String(record.offset),
      [deadLetterHeaders.timestamp]: String(record.timestamp),
    },
  };
}
