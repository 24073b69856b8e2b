/** The notifier's topology (notifier.ts): three co-partitioned sources, one store, the notifications sink. */
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { Topology, jsonSerde, stringSerde } from '../runtime/index.js';
import { NOTICES_STORE, NOTIFICATIONS_SINK, Notifier, type NotifierOptions } from './notifier.js';

export const APPLICATION_ID = 'notifications';

export function notifierTopology(options: NotifierOptions & { registry: RegistryClient }): Topology {
  const serde = { autoRegister: false };
  const { registry } = options;
  const source = <S extends (typeof topics)[keyof typeof topics]>(spec: S) => ({
    topics: spec.name,
    keySerde: stringSerde,
    valueSerde: serdeFor(spec, registry, serde),
  });
  return new Topology()
    .addSource('payments', source(topics.paymentResults))
    .addSource('decisions', source(topics.reservationEvents))
    .addSource('catalog', source(topics.catalogEvents))
    .addProcessor('notify', () => new Notifier(options), 'payments', 'decisions', 'catalog')
    .addStateStore({ name: NOTICES_STORE, keySerde: stringSerde, valueSerde: jsonSerde<unknown>() }, 'notify')
    .addSink(
      NOTIFICATIONS_SINK,
      {
        topic: topics.notifications.name,
        keySerde: stringSerde,
        valueSerde: serdeFor(topics.notifications, registry, serde),
      },
      'notify',
    );
}
