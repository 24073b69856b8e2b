/**
 * Serdes: how a record's key or value turns into bytes and back. Asynchronous, because the Avro serde
 * (schemas/serde.ts) talks to the schema registry; the built-in ones below resolve at once.
 *
 * The `topic` argument is the topic the bytes are read from or written to (a state store passes its
 * changelog topic), as in Kafka's Serializer/Deserializer.
 */

export interface Serde<T> {
  /** @throws when the value cannot be encoded; inside processing this sends the record to the DLQ. */
  serialize(topic: string, value: T): Promise<Buffer>;
  /** @throws when the bytes are not a valid encoding (a poison record). */
  deserialize(topic: string, data: Buffer): Promise<T>;
}

/**
 * A serde that can also work synchronously. The built-in ones are; the runtime then skips a promise
 * per call on its hot path (a record goes through up to eight serde calls). Any other Serde works
 * the same, asynchronously.
 */
export interface SyncSerde<T> extends Serde<T> {
  serializeSync(topic: string, value: T): Buffer;
  deserializeSync(topic: string, data: Buffer): T;
}

export const isSyncSerde = <T>(serde: Serde<T>): serde is SyncSerde<T> =>
  typeof (serde as Partial<SyncSerde<T>>).serializeSync === 'function' &&
  typeof (serde as Partial<SyncSerde<T>>).deserializeSync === 'function';

/** Serializes, synchronously when the serde allows. */
export const serializeWith = <T>(serde: Serde<T>, topic: string, value: T): Buffer | Promise<Buffer> =>
  isSyncSerde(serde) ? serde.serializeSync(topic, value) : serde.serialize(topic, value);

/** Deserializes, synchronously when the serde allows. */
export const deserializeWith = <T>(serde: Serde<T>, topic: string, data: Buffer): T | Promise<T> =>
  isSyncSerde(serde) ? serde.deserializeSync(topic, data) : serde.deserialize(topic, data);

const syncSerde = <T>(serializeSync: (value: T) => Buffer, deserializeSync: (data: Buffer) => T): SyncSerde<T> => ({
  serializeSync: (_topic, value) => serializeSync(value),
  deserializeSync: (_topic, data) => deserializeSync(data),
  serialize: async (_topic, value) => serializeSync(value),
  deserialize: async (_topic, data) => deserializeSync(data),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * UTF-8 text. Rejects bytes that are not valid UTF-8, so garbage is not silently turned into U+FFFD.
 * It remembers the last string it decoded or encoded: a record's key is typically decoded once and
 * encoded again for the store and the output, and those encodings then cost nothing. (Buffers the
 * runtime gets from serdes are never written to, so sharing one is safe.)
 */
export const stringSerde: SyncSerde<string> = (() => {
  let lastText: string | undefined;
  let lastBytes: Buffer | undefined;
  return syncSerde<string>(
    (value) => {
      if (value === lastText) return lastBytes!;
      if (typeof value !== 'string') throw new TypeError(`stringSerde expects a string, got ${typeof value}`);
      lastBytes = Buffer.from(value, 'utf8');
      lastText = value;
      return lastBytes;
    },
    (data) => {
      if (data === lastBytes) return lastText!;
      const text = utf8.decode(data);
      lastText = text;
      lastBytes = data;
      return text;
    },
  );
})();

/** JSON text in UTF-8. `undefined` and functions are not JSON and are refused. */
export const jsonSerde = <T>(): SyncSerde<T> =>
  syncSerde(
    (value) => {
      const text = JSON.stringify(value);
      if (text === undefined) throw new TypeError('jsonSerde cannot encode undefined');
      return Buffer.from(text, 'utf8');
    },
    (data) => JSON.parse(utf8.decode(data)) as T,
  );

/** The bytes as they are. */
export const bytesSerde: SyncSerde<Buffer> = syncSerde(
  (value) => value,
  (data) => data,
);

/** Shorthand in the style of Kafka Streams' `Serdes.String()`. */
export const Serdes = { string: () => stringSerde, json: jsonSerde, bytes: () => bytesSerde } as const;
