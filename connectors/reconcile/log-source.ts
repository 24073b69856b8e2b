/**
 * The event log as a source of figures: reads reservation.events.v1 read_committed from the beginning to its end
 * at the start of the read, decodes each record with the Avro serde, folds the decisions into figures
 * (reservation-figures.ts). Records that do not decode are counted as `undecodable|<topic>` (a measure only the
 * log has: they are the dead letters of the sinks).
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../infra/log.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { SerdeError } from '../../schemas/errors.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { readToEnd } from '../kafka-source/read-to-end.js';
import { add, figureKey } from './figures.js';
import type { FigureSource } from './reconcile.js';
import { ReservationFigures, reservationMeasures } from './reservation-figures.js';

export function reservationLogSource(o: {
  kafka: Kafka;
  registry: RegistryClient;
  log: Logger;
  /** The topic to read; the catalog's reservation.events.v1 by default. */
  topic?: string;
  /** Only these events' figures (the log is shared: tests and partial reconciliations). */
  eventIds?: readonly string[];
  /** Start positions per partition (`tpKey`), for events known to start after them; the log start by default. */
  from?: ReadonlyMap<string, number>;
  name?: string;
}): FigureSource {
  const only = o.eventIds ? new Set(o.eventIds) : undefined;
  const topic = o.topic ?? topics.reservationEvents.name;
  return {
    name: o.name ?? 'log',
    measures: [...reservationMeasures, 'undecodable'],
    async read() {
      const serde = serdeFor(topics.reservationEvents, o.registry, { autoRegister: false });
      const fold = new ReservationFigures();
      let undecodable = 0;
      await readToEnd({
        kafka: o.kafka,
        topics: [topic],
        log: o.log,
        groupPrefix: 'reconcile',
        ...(o.from ? { from: o.from } : {}),
        onRecords: async (records) => {
          for (const r of records) {
            if (r.value === null) {
              undecodable++;
              continue;
            }
            try {
              const e = (await serde.deserialize(topic, r.value)) as ReservationEvent;
              if (!only || only.has(e.eventId)) fold.add(e);
            } catch (err) {
              if (err instanceof SerdeError && !err.retriable) undecodable++;
              else throw err;
            }
          }
        },
      });
      const out = fold.result();
      if (undecodable) add(out, figureKey('undecodable', topic), undecodable);
      return out;
    },
  };
}
