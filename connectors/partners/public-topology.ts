/**
 * The public partner topics as a topology of the stream runtime (processors/runtime), exactly once: the three
 * internal inputs keyed by eventId are co-partitioned, so task N reads partition N of each and writes the partner
 * topics' partition N (same key, same partitioner).
 *
 *   catalog.events.v1      --> catalog-projection      --> partner.catalog.v1       (tombstones pass through)
 *   event.availability.v1  --> availability-projection --> partner.availability.v1
 *   reservation.events.v1  --> sales-counter [store: sales] --> partner.sales.v1
 *
 * Outputs carry no header of the input (no trace context reaches partners). Poison inputs go to the runtime's
 * dead-letter topics. The per-partner bookings need a topic per partner, which a topology's fixed sinks cannot name:
 * bookings-router.ts does them.
 */
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import type { PartnerSales } from '../../schemas/generated/partner-sales.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { partnerTopics, topics } from '../../topics/catalog.js';
import {
  jsonSerde,
  stringSerde,
  Topology,
  type Processor,
  type ProcessorContext,
  type StreamRecord,
} from '../../processors/runtime/index.js';
import { countSale, emptySales, toPartnerAvailability, toPartnerEvent } from './projections.js';

/** Consumer group, transactional ids, changelog names (topics/catalog.ts `changelogs.partnerSales`). */
export const PROJECTOR_APPLICATION_ID = 'partner-projector';
export const SALES_STORE = 'sales';

const sinks = { catalog: 'partner-catalog', availability: 'partner-availability', sales: 'partner-sales' } as const;

/** Which events are projected (all but in tests, which share the stack and project only their own events). */
type EventFilter = (eventId: string) => boolean;
const everyEvent: EventFilter = () => true;

/** A stateless one-to-one projection; a null value (tombstone) stays a tombstone. */
const mapping =
  <In, Out>(sink: string, project: (v: In) => Out, only: EventFilter) =>
  (): Processor<string, In | null> => {
    let ctx: ProcessorContext;
    return {
      init: (c) => void (ctx = c),
      process: async (r: StreamRecord<string, In | null>) => {
        if (only(r.key)) await ctx.forward(sink, r.key, r.value === null ? null : project(r.value));
      },
    };
  };

/** Sales counters per event: the store holds the last counters sent; each sale sends the new ones. */
const salesCounter = (only: EventFilter) => (): Processor<string, ReservationEvent | null> => {
  let ctx: ProcessorContext;
  return {
    init: (c) => void (ctx = c),
    async process(r) {
      if (r.value === null || !only(r.value.eventId)) return;
      const store = ctx.store<string, PartnerSales>(SALES_STORE);
      const before = (await store.get(r.value.eventId)) ?? emptySales(r.value.eventId);
      const after = countSale(before, r.value);
      if (!after) return;
      await store.put(after.eventId, after);
      await ctx.forward(sinks.sales, r.key, after);
    },
  };
};

export interface PublicTopologyOptions {
  registry: RegistryClient;
  /** Register schemas on first use (default false: `npm run schemas:check` registers them; boot asserts it). */
  autoRegister?: boolean;
  /** Project only these events (tests on a shared stack); every event when unset. */
  eventFilter?: EventFilter;
}

export function publicPartnerTopology({
  registry,
  autoRegister = false,
  eventFilter = everyEvent,
}: PublicTopologyOptions): Topology {
  const serde = <S extends Parameters<typeof serdeFor>[0]>(spec: S) => serdeFor(spec, registry, { autoRegister });
  return new Topology()
    .addSource('catalog', {
      topics: topics.catalogEvents.name,
      keySerde: stringSerde,
      valueSerde: serde(topics.catalogEvents),
    })
    .addSource('availability', {
      topics: topics.eventAvailability.name,
      keySerde: stringSerde,
      valueSerde: serde(topics.eventAvailability),
    })
    .addSource('decisions', {
      topics: topics.reservationEvents.name,
      keySerde: stringSerde,
      valueSerde: serde(topics.reservationEvents),
    })
    .addProcessor(
      'catalog-projection',
      mapping<CatalogEvent, unknown>(sinks.catalog, toPartnerEvent, eventFilter),
      'catalog',
    )
    .addProcessor(
      'availability-projection',
      mapping<EventAvailability, unknown>(sinks.availability, toPartnerAvailability, eventFilter),
      'availability',
    )
    .addProcessor('sales-counter', salesCounter(eventFilter), 'decisions')
    .addStateStore({ name: SALES_STORE, keySerde: stringSerde, valueSerde: jsonSerde<PartnerSales>() }, 'sales-counter')
    .addSink(
      sinks.catalog,
      { topic: partnerTopics.catalog.name, keySerde: stringSerde, valueSerde: serde(partnerTopics.catalog) },
      'catalog-projection',
    )
    .addSink(
      sinks.availability,
      { topic: partnerTopics.availability.name, keySerde: stringSerde, valueSerde: serde(partnerTopics.availability) },
      'availability-projection',
    )
    .addSink(
      sinks.sales,
      { topic: partnerTopics.sales.name, keySerde: stringSerde, valueSerde: serde(partnerTopics.sales) },
      'sales-counter',
    );
}
