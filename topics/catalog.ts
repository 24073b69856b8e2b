/**
 * The topic catalog: every Kafka topic of SeatStream, as data. The one place for topic names, partition counts,
 * replication, cleanup and retention, keys, value schemas and their compatibility rules. `npm run topics:apply`
 * makes a cluster match it (topics/apply.ts); `npm run schemas:check` registers the value schemas it names.
 *
 * Keys are the UTF-8 bytes of the id named by `key`; values are Avro in the Confluent wire format (schemas/serde.ts),
 * registered under `subjectFor(spec)` (TopicNameStrategy).
 */

export type CleanupPolicy = 'compact' | 'delete' | 'compact,delete';

/** Schema-registry compatibility levels (Confluent's names). */
export type SchemaCompatibility =
  'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

export interface TopicSpec {
  /** Topic name; `.v<N>` ends the name of a public topic so that an incompatible change is a new topic. */
  readonly name: string;
  readonly partitions: number;
  /** Replication factor wanted in production; a smaller cluster gets min(this, its broker count). */
  readonly replicationFactor: number;
  readonly cleanupPolicy: CleanupPolicy;
  /** retention.ms; -1 keeps records forever. Unset: the topic does not pin it (compacted topics). */
  readonly retentionMs?: number;
  /** min.insync.replicas wanted in production; a topic gets min(this, its replication factor). */
  readonly minInsyncReplicas?: number;
  /** What the record key is, e.g. 'eventId'. */
  readonly key: string;
  /** File name of the value's Avro schema under schemas/, e.g. 'reservation-command.avsc'; unset for raw bytes. */
  readonly valueSchema?: string;
  /** Compatibility of the value subject; BACKWARD when unset. */
  readonly compatibility?: SchemaCompatibility;
  readonly doc: string;
}

const day = 24 * 60 * 60 * 1000;

/** Production durability: three replicas, writes acknowledged by two (acks=all). */
const replicated = { replicationFactor: 3, minInsyncReplicas: 2 } as const;

/**
 * Every topic keyed by eventId has the same partition count, so that one event's catalog definition, commands,
 * decisions and availability land on the same partition number (co-partitioning: one seat-allocation task reads
 * both inputs of its partition). 12 divides evenly among 1, 2, 3, 4, 6 or 12 processor instances. An event's
 * on-sale peak is served by one partition whatever the count; partitions spread different events.
 */
export const eventPartitions = 12;

export const topics = {
  catalogEvents: {
    name: 'catalog.events.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'compact',
    key: 'eventId',
    valueSchema: 'catalog-event.avsc',
    // Compacted: a definition written years ago is still read at restore, so every version must read all older ones.
    compatibility: 'BACKWARD_TRANSITIVE',
    doc: 'Current definition of each event (seat map, prices, sale window, limits); the latest record per eventId wins, a tombstone deletes the event.',
  },
  reservationCommands: {
    name: 'reservation.commands.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'delete',
    retentionMs: 7 * day,
    key: 'eventId',
    valueSchema: 'reservation-command.avsc',
    compatibility: 'BACKWARD',
    doc: 'Commands to the seat allocator (hold, release, confirm, cancel, expire), in arrival order per event.',
  },
  reservationEvents: {
    name: 'reservation.events.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'delete',
    retentionMs: -1,
    key: 'eventId',
    valueSchema: 'reservation-event.avsc',
    // The audit log, kept forever and replayed from the start by new read models: readers must read every version.
    compatibility: 'BACKWARD_TRANSITIVE',
    doc: 'Decisions of the seat allocator, one per command (the audit log: kept forever, replayable by any read model).',
  },
  eventAvailability: {
    name: 'event.availability.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'compact',
    key: 'eventId',
    valueSchema: 'event-availability.avsc',
    compatibility: 'BACKWARD_TRANSITIVE',
    doc: 'Latest free/held/sold snapshot per event, for live seat maps, partners and the API cache.',
  },
  paymentRequests: {
    name: 'payment.requests.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'delete',
    retentionMs: 30 * day,
    key: 'holdId',
    valueSchema: 'payment-request.avsc',
    compatibility: 'BACKWARD',
    doc: 'Inputs of the payment saga, per hold: checkouts, the seat allocator decisions about the hold (repartitioned by holdId), verified provider webhooks.',
  },
  paymentResults: {
    name: 'payment.results.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'delete',
    retentionMs: -1,
    key: 'holdId',
    valueSchema: 'payment-result.avsc',
    // Kept forever: the payments audit trail that reconciliation replays.
    compatibility: 'BACKWARD_TRANSITIVE',
    doc: 'Steps of the payment saga per hold (authorised, captured, voided, refunded, checkout completed or failed).',
  },
  notifications: {
    name: 'notifications.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'delete',
    retentionMs: 7 * day,
    key: 'userId',
    valueSchema: 'notification.avsc',
    compatibility: 'BACKWARD',
    doc: 'What users are told, rendered in their language, for the WebSocket, e-mail and in-app channels.',
  },
} as const satisfies Record<string, TopicSpec>;

/**
 * Topics partners read with their own Kafka clients (connectors/partners projects them; docs/partners/ documents
 * them): no personal data, FULL_TRANSITIVE so that a partner's reader of any version reads records of any version.
 * Partners' ACLs grant these by literal name; their own topics (`partnerBookingsFor`) by the prefix
 * `partnerTopicPrefix(partnerId)`, which no public topic name starts with (connectors/partners/naming.ts).
 */
export const partnerTopics = {
  catalog: {
    name: 'partner.catalog.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'compact',
    key: 'eventId',
    valueSchema: 'partner-catalog-event.avsc',
    compatibility: 'FULL_TRANSITIVE',
    doc: 'Published events for partners (title, sale window, prices, seat map); latest record per eventId, a tombstone withdraws it.',
  },
  availability: {
    name: 'partner.availability.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'compact',
    key: 'eventId',
    valueSchema: 'partner-availability.avsc',
    compatibility: 'FULL_TRANSITIVE',
    doc: 'Live free/held/sold snapshot per event for partners.',
  },
  sales: {
    name: 'partner.sales.v1',
    partitions: eventPartitions,
    ...replicated,
    cleanupPolicy: 'compact',
    key: 'eventId',
    valueSchema: 'partner-sales.avsc',
    compatibility: 'FULL_TRANSITIVE',
    doc: 'Sales counters per event (bookings, cancellations, tickets, per channel) for partners.',
  },
} as const satisfies Record<string, TopicSpec>;

/** Every topic of one partner starts with this (its ACLs are on this prefix). */
export const partnerTopicPrefix = (partnerId: string): string => `partner.${partnerId}.`;

/**
 * The bookings made through one partner's channel (pseudonymous buyers), readable by that partner only. Made at the
 * partner's onboarding, deleted with the partner. Three partitions: one partner's share of the sales is small.
 */
export const partnerBookingsFor = (partnerId: string): TopicSpec => ({
  name: `${partnerTopicPrefix(partnerId)}bookings.v1`,
  partitions: 3,
  ...replicated,
  cleanupPolicy: 'delete',
  retentionMs: 90 * day,
  key: 'eventId',
  valueSchema: 'partner-booking.avsc',
  compatibility: 'FULL_TRANSITIVE',
  doc: `Bookings made through partner ${partnerId}, confirmed and cancelled, buyers pseudonymous.`,
});

/** Subject of a topic's record values (Confluent TopicNameStrategy). */
export const valueSubject = (topic: string): string => `${topic}-value`;

export const subjectFor = (spec: TopicSpec): string => valueSubject(spec.name);

/** Dead-letter retention: long enough for operators to look after a long weekend, short enough not to pile up. */
const dlqRetentionMs = 30 * day;

/**
 * The dead-letter topic of a source topic: records that could not be processed, with the source's key and value
 * bytes unchanged and the reason in headers. Same partitions as the source, so a record keeps its partition number.
 */
export const dlqFor = (source: TopicSpec): TopicSpec => ({
  name: `${source.name}.dlq`,
  partitions: source.partitions,
  replicationFactor: source.replicationFactor,
  ...(source.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: source.minInsyncReplicas }),
  cleanupPolicy: 'delete',
  retentionMs: dlqRetentionMs,
  key: source.key,
  doc: `Dead letters of ${source.name}: its key and value bytes as received, the reason in headers.`,
});

/**
 * The changelog of a processor's state store: compacted, one partition per source partition (task i restores from
 * changelog partition i).
 */
export const changelogFor = (appId: string, storeName: string, source: TopicSpec): TopicSpec => ({
  name: `${appId}-${storeName}-changelog`,
  partitions: source.partitions,
  replicationFactor: source.replicationFactor,
  ...(source.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: source.minInsyncReplicas }),
  cleanupPolicy: 'compact',
  key: 'store key',
  doc: `Changelog of the store '${storeName}' of ${appId}, partitioned like ${source.name}; restores the store.`,
});

/** State-store changelogs of the processors (see ARCHITECTURE.md, topics). */
export const changelogs = {
  seatAllocationInventory: changelogFor('seat-allocation', 'inventory', topics.reservationCommands),
  paymentsSaga: changelogFor('payments', 'sagas', topics.paymentRequests),
  notificationsNotices: changelogFor('notifications', 'notices', topics.reservationEvents),
  partnerSales: changelogFor('partner-projector', 'sales', topics.reservationEvents),
} as const satisfies Record<string, TopicSpec>;

/**
 * Everything `npm run topics:apply` creates: the topics, a dead-letter topic for each, the partner topics, the
 * changelogs. (Each partner's own topics are made at its onboarding.)
 */
export const catalogSpecs = (): TopicSpec[] => {
  const main: TopicSpec[] = Object.values(topics);
  return [...main, ...main.map(dlqFor), ...Object.values(partnerTopics), ...Object.values(changelogs)];
};
