/**
 * Which topic goes to which table, and how its records become rows. The ClickHouse sink consumes the reservation
 * decisions and the catalog (for the events dimension); check-ins and payments add a route here when their topics
 * exist (their tables are in migrations/0004).
 */
import { topics, type TopicSpec } from '../../topics/catalog.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { eventRow, reservationEventRow, type RecordMeta } from './rows.js';

/** The tables the sink writes (names also used in migrations/ and dashboards/queries/). */
export const sinkTables = {
  reservationEvents: 'reservation_events',
  events: 'events',
} as const;

export interface TopicRoute {
  /** The catalog topic this route reads (its value schema decodes the records). */
  spec: TopicSpec;
  /** The name actually consumed (the catalog's, or a test's). */
  topic: string;
  table: string;
  /** What a null value (tombstone) means: nothing to write, or a poison record. */
  tombstone: 'ignore' | 'dead-letter';
  toRow(meta: RecordMeta, value: unknown): Record<string, unknown>;
}

export interface RouteTopics {
  reservationEvents?: string;
  catalogEvents?: string;
}

export function sinkRoutes(names: RouteTopics = {}): TopicRoute[] {
  return [
    {
      spec: topics.reservationEvents,
      topic: names.reservationEvents ?? topics.reservationEvents.name,
      table: sinkTables.reservationEvents,
      tombstone: 'dead-letter',
      toRow: (meta, v) => ({ ...reservationEventRow(meta, v as ReservationEvent) }),
    },
    {
      spec: topics.catalogEvents,
      topic: names.catalogEvents ?? topics.catalogEvents.name,
      table: sinkTables.events,
      // Compacted topic: a tombstone deletes an event; analytics keep its last definition.
      tombstone: 'ignore',
      toRow: (meta, v) => ({ ...eventRow(meta, v as CatalogEvent) }),
    },
  ];
}
