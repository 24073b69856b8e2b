/**
 * Source records → decoded inputs, through the Avro serde (Confluent wire format, writer schema from the registry).
 * A record that can never decode (not the wire format, unknown schema id, a schema the reader cannot resolve, a
 * corrupt body, a missing key or value) is a refusal with a stable code; a registry outage is thrown, so that the
 * batch is tried again later rather than dead-lettered.
 */
import type { SourceRecord } from '../kafka-source/records.js';
import { SerdeError } from '../../schemas/errors.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { SinkRefusal, type SinkInput } from './inputs.js';

export type Decoded = { ok: true; input: SinkInput } | { ok: false; code: string; error: Error };

export type Decoder = (record: SourceRecord) => Promise<Decoded>;

export function createDecoder(registry: RegistryClient): Decoder {
  const catalog = serdeFor(topics.catalogEvents, registry);
  const reservations = serdeFor(topics.reservationEvents, registry);
  const availability = serdeFor(topics.eventAvailability, registry);

  async function decode(r: SourceRecord): Promise<SinkInput> {
    const at = { topic: r.topic, partition: r.partition, offset: r.offset };
    if (r.key === null) throw new SinkRefusal('SS_ERR_SINK_KEY_MISMATCH', 'the record has no key');
    const key = r.key.toString('utf8');
    switch (r.topic) {
      case topics.catalogEvents.name:
        return {
          source: 'catalog',
          at,
          key,
          value: r.value === null ? null : await catalog.deserialize(r.topic, r.value),
        };
      case topics.eventAvailability.name:
        return {
          source: 'availability',
          at,
          key,
          value: r.value === null ? null : await availability.deserialize(r.topic, r.value),
        };
      case topics.reservationEvents.name:
        if (r.value === null) throw new SinkRefusal('SS_ERR_SINK_NO_VALUE', `${r.topic} has no tombstones`);
        return { source: 'reservation', at, key, value: await reservations.deserialize(r.topic, r.value) };
      default:
        throw new Error(`the read-model sink does not consume ${r.topic}`);
    }
  }

  return async (r) => {
    try {
      return { ok: true, input: await decode(r) };
    } catch (err) {
      if (err instanceof SinkRefusal) return { ok: false, code: err.code, error: err };
      if (err instanceof SerdeError && !err.retriable) return { ok: false, code: err.code, error: err };
      throw err;
    }
  };
}
