/**
 * The seat allocator's topology (see processor.ts for the picture): the two co-partitioned inputs
 * keyed by eventId, the allocator with its two stores, and its four sinks. Topic names come from
 * the catalog; the application id and the store name make the changelog the catalog declares
 * (`changelogs.seatAllocationInventory`).
 */
import { dlqFor, topics } from '../../topics/catalog.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { Topology, jsonSerde, bytesSerde, stringSerde, type Serde } from '../runtime/index.js';
import type { AvailabilityView } from './availabilityView.js';
import {
  AVAILABILITY_STORE,
  INVENTORY_STORE,
  SeatAllocator,
  sinks,
  type Received,
  type SeatAllocatorOptions,
} from './processor.js';

/** The application id in production: consumer group, transactional ids, changelog names, state directory. */
export const APPLICATION_ID = 'seat-allocation';

export const sources = { catalog: 'catalog', commands: 'commands' } as const;
export const PROCESSOR = 'allocate';

export interface SeatAllocationTopologyOptions extends SeatAllocatorOptions {
  registry: RegistryClient;
  /**
   * Register the value schemas on first use (default false: the service asserts at boot that
   * `npm run schemas:check` registered them, and a missing one must stop it, not be created).
   */
  autoRegister?: boolean;
}

/** Decodes through `serde` but keeps the bytes; writes the kept bytes back unchanged (for dead letters). */
export const keepingBytes = <T>(serde: Serde<T>): Serde<Received<T>> => ({
  serialize: async (_topic, received) => received.bytes,
  deserialize: async (topic, data) => ({ bytes: data, value: await serde.deserialize(topic, data) }),
});

export function seatAllocationTopology(options: SeatAllocationTopologyOptions): Topology {
  const { registry } = options;
  const serdeOptions = { autoRegister: options.autoRegister ?? false };
  const catalog = keepingBytes(serdeFor(topics.catalogEvents, registry, serdeOptions));
  const commands = keepingBytes(serdeFor(topics.reservationCommands, registry, serdeOptions));
  return new Topology()
    .addSource(sources.catalog, { topics: topics.catalogEvents.name, keySerde: stringSerde, valueSerde: catalog })
    .addSource(sources.commands, {
      topics: topics.reservationCommands.name,
      keySerde: stringSerde,
      valueSerde: commands,
    })
    .addProcessor(PROCESSOR, () => new SeatAllocator(options), sources.catalog, sources.commands)
    .addStateStore({ name: INVENTORY_STORE, keySerde: stringSerde, valueSerde: bytesSerde }, PROCESSOR)
    .addStateStore(
      {
        name: AVAILABILITY_STORE,
        keySerde: stringSerde,
        valueSerde: jsonSerde<AvailabilityView>(),
        cacheEntries: 1_000,
      },
      PROCESSOR,
    )
    .addSink(
      sinks.decisions,
      {
        topic: topics.reservationEvents.name,
        keySerde: stringSerde,
        valueSerde: serdeFor(topics.reservationEvents, registry, serdeOptions),
      },
      PROCESSOR,
    )
    .addSink(
      sinks.availability,
      {
        topic: topics.eventAvailability.name,
        keySerde: stringSerde,
        valueSerde: serdeFor(topics.eventAvailability, registry, serdeOptions),
      },
      PROCESSOR,
    )
    .addSink(
      sinks.catalogDlq,
      { topic: dlqFor(topics.catalogEvents).name, keySerde: stringSerde, valueSerde: catalog },
      PROCESSOR,
    )
    .addSink(
      sinks.commandsDlq,
      { topic: dlqFor(topics.reservationCommands).name, keySerde: stringSerde, valueSerde: commands },
      PROCESSOR,
    );
}
