/**
 * What the read-model sink consumes, decoded: one record of one of its three source topics, with where it came
 * from. A catalog or availability record without value is a tombstone (the topics are compacted).
 */
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { topics } from '../../topics/catalog.js';

/** The source topics, in one place: the sink subscribes to these and nothing else. */
export const sourceSpecs = [topics.catalogEvents, topics.reservationEvents, topics.eventAvailability] as const;

export interface Position {
  topic: string;
  partition: number;
  offset: number;
}

export type SinkInput =
  | { source: 'catalog'; at: Position; key: string; value: CatalogEvent | null }
  | { source: 'reservation'; at: Position; key: string; value: ReservationEvent }
  | { source: 'availability'; at: Position; key: string; value: EventAvailability | null };

/**
 * Why the sink refuses a record (it goes to the topic's dead-letter topic, the batch goes on). Serde codes
 * (SS_ERR_SERDE_*, schemas/errors.ts) for records that do not decode, and these for decoded ones.
 */
export const sinkRefusalCodes = {
  /** No key, or a key that is not the eventId of the value (compaction and partitioning go by key). */
  SS_ERR_SINK_KEY_MISMATCH: 'the record key is not the eventId of its value',
  /** A reservation event without value: that topic has no tombstones. */
  SS_ERR_SINK_NO_VALUE: 'a record without value on a topic without tombstones',
  /** A catalog revision whose seat map or terms are inconsistent (the seat allocator refuses it too). */
  SS_ERR_SINK_INVALID_CATALOG: 'inconsistent catalog definition',
} as const;

export type SinkRefusalCode = keyof typeof sinkRefusalCodes;

export class SinkRefusal extends Error {
  constructor(
    readonly code: SinkRefusalCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SinkRefusal';
  }
}
