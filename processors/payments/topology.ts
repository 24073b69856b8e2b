/**
 * The payment saga's topology (see processor.ts for the picture). Topic names come from the catalog; the
 * application id and the store name make the changelog the catalog declares (`changelogs.paymentsSaga`).
 */
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { Topology, jsonSerde, stringSerde } from '../runtime/index.js';
import { DecisionRouter, PaymentSaga, SAGA_STORE, sinks, type SagaOptions } from './processor.js';

export const APPLICATION_ID = 'payments';

export interface PaymentsTopologyOptions extends SagaOptions {
  registry: RegistryClient;
  /** Whose decisions the saga trusts (the origin header's application id; default seat-allocation). */
  allocatorApplicationId?: string;
}

export function paymentsTopology(options: PaymentsTopologyOptions): Topology {
  const serde = { autoRegister: false };
  const { registry } = options;
  return new Topology()
    .addSource('decisions', {
      topics: topics.reservationEvents.name,
      keySerde: stringSerde,
      valueSerde: serdeFor(topics.reservationEvents, registry, serde),
    })
    .addSource('requests', {
      topics: topics.paymentRequests.name,
      keySerde: stringSerde,
      valueSerde: serdeFor(topics.paymentRequests, registry, serde),
    })
    .addProcessor('route', () => new DecisionRouter(options.allocatorApplicationId ?? 'seat-allocation'), 'decisions')
    .addProcessor('saga', () => new PaymentSaga(options), 'requests')
    .addStateStore({ name: SAGA_STORE, keySerde: stringSerde, valueSerde: jsonSerde<unknown>() }, 'saga')
    .addSink(
      sinks.requests,
      {
        topic: topics.paymentRequests.name,
        keySerde: stringSerde,
        valueSerde: serdeFor(topics.paymentRequests, registry, serde),
      },
      'route',
    )
    .addSink(
      sinks.results,
      {
        topic: topics.paymentResults.name,
        keySerde: stringSerde,
        valueSerde: serdeFor(topics.paymentResults, registry, serde),
      },
      'saga',
    )
    .addSink(
      sinks.commands,
      {
        topic: topics.reservationCommands.name,
        keySerde: stringSerde,
        valueSerde: serdeFor(topics.reservationCommands, registry, serde),
      },
      'saga',
    );
}
