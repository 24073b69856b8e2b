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

/** UTF-8 text. Rejects bytes that are not valid UTF-8, so garbage is not silently turned into U+FFFD. */
export const stringSerde: Serde<string> = {
  serialize: async (_topic, value) => {
    if (typeof value !== 'string') throw new TypeError(`stringSerde expects a string, got ${typeof value}`);
    return Buffer.from(value, 'utf8');
  },
  deserialize: async (_topic, data) => utf8.decode(data),
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON text in UTF-8. `undefined` and functions are not JSON and are refused. */
export const jsonSerde = <T>(): Serde<T> => ({
  serialize: async (_topic, value) => {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError('jsonSerde cannot encode undefined');
    return Buffer.from(text, 'utf8');
  },
  deserialize: async (_topic, data) => JSON.parse(utf8.decode(data)) as T,
});

/** The bytes as they are. */
export const bytesSerde: Serde<Buffer> = {
  serialize: async (_topic, value) => value,
  deserialize: async (_topic, data) => data,
};

/** Shorthand in the style of Kafka Streams' `Serdes.String()`. */
export const Serdes = { string: () => stringSerde, json: jsonSerde, bytes: () => bytesSerde } as const;
