/**
 * What processors see of a state store (Kafka Streams' KeyValueStore): typed keys and values through
 * the store's serdes, over the task's byte-level TaskStore. Ranges and prefixes are in the byte order
 * of serialized keys (so string keys sort as their UTF-8 bytes).
 */
import { isSyncSerde, type Serde } from '../serde.js';
import type { TaskStore } from './task-store.js';

export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/** Bounds of a range scan: `gte` inclusive, `lt` exclusive, either optional. */
export interface KeyRange<K> {
  gte?: K;
  lt?: K;
}

export interface ReadOnlyKeyValueStore<K, V> {
  readonly name: string;
  get(key: K): Promise<V | undefined>;
  /** Entries in key order; writes made while iterating may or may not be seen. */
  range(bounds?: KeyRange<K>): AsyncIterable<KeyValue<K, V>>;
  /** Entries whose serialized key starts with the serialized prefix (by the key serde, or `prefixSerde`). */
  prefixScan<P = K>(prefix: P, prefixSerde?: Serde<P>): AsyncIterable<KeyValue<K, V>>;
  all(): AsyncIterable<KeyValue<K, V>>;
  /** RocksDB's estimate of the number of committed entries. */
  approximateNumEntries(): number;
  /** Memtables plus SST files, in bytes. */
  approximateSizeBytes(): number;
}

export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V): Promise<void>;
  delete(key: K): Promise<void>;
}

/** The smallest byte string greater than every string starting with `prefix` (none if it is all 0xff). */
export const prefixEnd = (prefix: Buffer): Buffer | undefined => {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
};

const done: Promise<void> = Promise.resolve();

interface Serdes<K, V> {
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
}

abstract class SerdeStore<K, V> implements ReadOnlyKeyValueStore<K, V> {
  constructor(
    protected readonly store: TaskStore,
    protected readonly serdes: Serdes<K, V>,
  ) {}

  protected abstract read(key: Buffer): Promise<Buffer | undefined>;
  /** The value when known without I/O (null: absent), undefined when RocksDB must be read. */
  protected abstract peek(key: Buffer): Buffer | null | undefined;
  protected abstract entries(gte?: Buffer, lt?: Buffer): AsyncIterable<[Buffer, Buffer]>;

  get name(): string {
    return this.store.name;
  }

  /** Serdes are called with the changelog topic, as Kafka Streams does for stores. */
  protected get topic(): string {
    return this.store.changelog.topic;
  }

  get(key: K): Promise<V | undefined> {
    const { keySerde, valueSerde } = this.serdes;
    if (!isSyncSerde(keySerde) || !isSyncSerde(valueSerde)) return this.getAsync(key);
    // The hot path: built-in serdes and a key in the write buffer or the cache, without a promise
    // per step.
    try {
      const known = this.peek(keySerde.serializeSync(this.topic, key));
      if (known === undefined) return this.getAsync(key);
      return Promise.resolve(known === null ? undefined : valueSerde.deserializeSync(this.topic, known));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private async getAsync(key: K): Promise<V | undefined> {
    const raw = await this.read(await this.serdes.keySerde.serialize(this.topic, key));
    return raw === undefined ? undefined : this.serdes.valueSerde.deserialize(this.topic, raw);
  }

  async *range(bounds: KeyRange<K> = {}): AsyncGenerator<KeyValue<K, V>> {
    const gte = bounds.gte === undefined ? undefined : await this.serdes.keySerde.serialize(this.topic, bounds.gte);
    const lt = bounds.lt === undefined ? undefined : await this.serdes.keySerde.serialize(this.topic, bounds.lt);
    yield* this.decode(this.entries(gte, lt));
  }

  async *prefixScan<P = K>(prefix: P, prefixSerde?: Serde<P>): AsyncGenerator<KeyValue<K, V>> {
    const serde = prefixSerde ?? (this.serdes.keySerde as unknown as Serde<P>);
    const start = await serde.serialize(this.topic, prefix);
    yield* this.decode(this.entries(start, prefixEnd(start)));
  }

  all(): AsyncGenerator<KeyValue<K, V>> {
    return this.range();
  }

  approximateNumEntries(): number {
    return this.store.approximateNumEntries();
  }

  approximateSizeBytes(): number {
    return this.store.approximateSizeBytes();
  }

  private async *decode(entries: AsyncIterable<[Buffer, Buffer]>): AsyncGenerator<KeyValue<K, V>> {
    for await (const [k, v] of entries) {
      yield {
        key: await this.serdes.keySerde.deserialize(this.topic, k),
        value: await this.serdes.valueSerde.deserialize(this.topic, v),
      };
    }
  }
}

/** The read-write view used inside processing: reads see the current transaction's writes. */
export class TypedKeyValueStore<K, V> extends SerdeStore<K, V> implements KeyValueStore<K, V> {
  protected read(key: Buffer): Promise<Buffer | undefined> {
    return this.store.get(key);
  }

  protected peek(key: Buffer): Buffer | null | undefined {
    return this.store.peek(key);
  }

  protected entries(gte?: Buffer, lt?: Buffer): AsyncIterable<[Buffer, Buffer]> {
    return this.store.range(gte, lt);
  }

  put(key: K, value: V): Promise<void> {
    const { keySerde, valueSerde } = this.serdes;
    if (!isSyncSerde(keySerde) || !isSyncSerde(valueSerde)) return this.putAsync(key, value);
    try {
      this.store.put(keySerde.serializeSync(this.topic, key), valueSerde.serializeSync(this.topic, value));
      return done;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private async putAsync(key: K, value: V): Promise<void> {
    const k = await this.serdes.keySerde.serialize(this.topic, key);
    this.store.put(k, await this.serdes.valueSerde.serialize(this.topic, value));
  }

  async delete(key: K): Promise<void> {
    this.store.delete(await this.serdes.keySerde.serialize(this.topic, key));
  }
}

/** Interactive queries: committed state only (never a running transaction's writes), no writes. */
export class ReadOnlyTypedKeyValueStore<K, V> extends SerdeStore<K, V> {
  protected read(key: Buffer): Promise<Buffer | undefined> {
    return this.store.getCommitted(key);
  }

  protected peek(): undefined {
    return undefined; // queries always read RocksDB's committed state (the cache is the writer's)
  }

  protected entries(gte?: Buffer, lt?: Buffer): AsyncIterable<[Buffer, Buffer]> {
    return this.store.rangeCommitted(gte, lt);
  }
}
