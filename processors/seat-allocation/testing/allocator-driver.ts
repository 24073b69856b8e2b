/**
 * Drives a SeatAllocator without Kafka, for unit tests (Kafka Streams' TopologyTestDriver in small):
 * real task stores (RocksDB in a directory, the runtime's TaskStore with its write buffer and
 * savepoints), a context that records forwards and punctuators, and the task's transaction steps
 * done by hand — `pipe` (a record, rolled back to its savepoint when processing throws, as the
 * runtime does before retrying it), `commit`, `abort` (the runtime drops the buffers after a failed
 * send), `reopen` (a new processor on the same stores, as after a task migration).
 */
import { join } from 'node:path';
import { logger } from '../../../infra/log.js';
import { topics } from '../../../topics/catalog.js';
import type { CatalogEvent } from '../../../schemas/generated/catalog-event.js';
import type { ReservationCommand as AvroCommand } from '../../../schemas/generated/reservation-command.js';
import { createRegistryClient } from '../../../schemas/registry-client.js';
import {
  type Cancellable,
  type Headers,
  type KeyValueStore,
  type ProcessorContext,
  type Punctuator,
  type RecordMetadata,
  type Serde,
  type StreamRecord,
} from '../../runtime/index.js';
import { ReadOnlyTypedKeyValueStore, TypedKeyValueStore } from '../../runtime/state/key-value-store.js';
import { TaskStore } from '../../runtime/state/task-store.js';
import { commandToAvro, definitionToAvro } from '../codec.js';
import type { EventDefinition, ReservationCommand } from '../model.js';
import {
  AVAILABILITY_STORE,
  INVENTORY_STORE,
  SeatAllocator,
  type Received,
  type SeatAllocatorOptions,
} from '../processor.js';
import { seatAllocationTopology } from '../topology.js';

export interface Forwarded {
  sink: string;
  key: unknown;
  value: unknown;
  timestamp: number;
  headers: Headers;
  committed: boolean;
}

const log = logger('allocator-driver');

/**
 * The stores as the topology declares them. Their serdes never call the registry (only the topics'
 * Avro serdes do, and none of them is used here), so the client's address is never dialled.
 */
const storeSpecs = seatAllocationTopology({ registry: createRegistryClient('http://127.0.0.1:9') }).build().stores;
const serdesOf = (store: string) => storeSpecs.get(store)! as { keySerde: Serde<string>; valueSerde: Serde<unknown> };

export class AllocatorDriver {
  /** Every record forwarded, in order; `committed` once its transaction committed (aborted ones are removed). */
  readonly forwarded: Forwarded[] = [];
  private readonly punctuators: { intervalMs: number; fn: Punctuator }[] = [];
  private current: { metadata: RecordMetadata | undefined; timestamp: number; headers: Headers } = {
    metadata: undefined,
    timestamp: 0,
    headers: {},
  };
  private offset = 0;
  private checkpoint = 0;
  private failForwards = 0;
  private processor: SeatAllocator;

  private constructor(
    private readonly stores: Map<string, { raw: TaskStore; typed: KeyValueStore<unknown, unknown> }>,
    private readonly options: SeatAllocatorOptions,
  ) {
    this.processor = new SeatAllocator(options);
  }

  static async open(dir: string, options: SeatAllocatorOptions = {}): Promise<AllocatorDriver> {
    const stores = new Map<string, { raw: TaskStore; typed: KeyValueStore<unknown, unknown> }>();
    const specs = [
      { name: INVENTORY_STORE, ...serdesOf(INVENTORY_STORE) },
      { name: AVAILABILITY_STORE, ...serdesOf(AVAILABILITY_STORE) },
    ];
    for (const spec of specs) {
      const raw = await TaskStore.open({
        name: spec.name,
        dir: join(dir, spec.name),
        changelog: { topic: `test-${spec.name}-changelog`, partition: 0 },
        log,
      });
      stores.set(spec.name, { raw, typed: new TypedKeyValueStore(raw, spec) as KeyValueStore<unknown, unknown> });
    }
    const driver = new AllocatorDriver(stores, options);
    await driver.processor.init(driver.context());
    return driver;
  }

  /** Processes one record of `topic` (a savepoint first; rolled back if processing throws, which is rethrown). */
  async pipe(
    topic: string,
    key: string | null,
    value: Received<unknown> | null,
    headers: Headers = {},
    timestamp = Date.now(),
  ) {
    const mark = this.forwarded.length;
    this.current = { metadata: { topic, partition: 0, offset: this.offset++ }, timestamp, headers };
    for (const s of this.stores.values()) s.raw.savepoint();
    try {
      await this.processor.process({ key, value, timestamp, headers } as StreamRecord<string | null, never>);
      for (const s of this.stores.values()) s.raw.releaseSavepoint();
    } catch (err) {
      for (const s of this.stores.values()) s.raw.rollbackToSavepoint();
      this.forwarded.length = mark;
      throw err;
    } finally {
      this.current = { metadata: undefined, timestamp: 0, headers: {} };
    }
  }

  pipeCatalog(def: EventDefinition, headers: Headers = {}, key: string = def.eventId) {
    return this.pipe(topics.catalogEvents.name, key, received<CatalogEvent>(definitionToAvro(def)), headers);
  }

  pipeCommand(command: ReservationCommand, headers: Headers = {}, key: string = command.eventId) {
    return this.pipe(topics.reservationCommands.name, key, received<AvroCommand>(commandToAvro(command)), headers);
  }

  /** Runs the punctuator scheduled with `intervalMs` at wall-clock `now`. */
  async punctuate(intervalMs: number, now: number): Promise<void> {
    const p = this.punctuators.find((x) => x.intervalMs === intervalMs);
    if (!p) throw new Error(`no punctuator every ${intervalMs} ms`);
    const mark = this.forwarded.length;
    this.current = { metadata: undefined, timestamp: now, headers: {} };
    for (const s of this.stores.values()) s.raw.savepoint();
    try {
      await p.fn(now);
      for (const s of this.stores.values()) s.raw.releaseSavepoint();
    } catch (err) {
      for (const s of this.stores.values()) s.raw.rollbackToSavepoint();
      this.forwarded.length = mark;
      throw err;
    }
  }

  /** Applies the open transaction's store writes (what the runtime does after Kafka committed). */
  async commit(): Promise<void> {
    this.checkpoint++;
    for (const s of this.stores.values()) await s.raw.commit(this.checkpoint);
    for (const f of this.forwarded) f.committed = true;
  }

  /** Drops the open transaction (store buffers, uncommitted outputs), as after a failed send. */
  abort(): void {
    for (const s of this.stores.values()) s.raw.discard();
    for (let i = this.forwarded.length - 1; i >= 0; i--) if (!this.forwarded[i]!.committed) this.forwarded.splice(i, 1);
  }

  /** The next `n` forwards throw (as a failing serializer or a full buffer would), after being attempted. */
  failNextForwards(n: number): void {
    this.failForwards = n;
  }

  /** Closes the processor and starts a new one on the same (committed) stores, as a task reopened elsewhere. */
  async reopen(): Promise<void> {
    this.abort();
    this.punctuators.length = 0;
    this.processor = new SeatAllocator(this.options);
    await this.processor.init(this.context());
  }

  /** Committed state of a store, for assertions (what an interactive read sees). */
  committed<V>(store: string): ReadOnlyTypedKeyValueStore<string, V> {
    const s = this.stores.get(store)!;
    return new ReadOnlyTypedKeyValueStore(s.raw, serdesOf(store)) as ReadOnlyTypedKeyValueStore<string, V>;
  }

  /** Forwards to one sink, in order. */
  to(sink: string): Forwarded[] {
    return this.forwarded.filter((f) => f.sink === sink);
  }

  async close(): Promise<void> {
    for (const s of this.stores.values()) await s.raw.close();
  }

  private context(): ProcessorContext {
    const current = () => this.current;
    const forward = async (
      first: StreamRecord<unknown, unknown> | string,
      second?: unknown,
      value?: unknown,
      headers?: Headers,
    ) => {
      const record: Forwarded =
        typeof first === 'string'
          ? {
              sink: first,
              key: second,
              value,
              timestamp: this.current.timestamp,
              headers: headers ?? {},
              committed: false,
            }
          : {
              sink: second as string,
              key: first.key,
              value: first.value,
              timestamp: first.timestamp,
              headers: first.headers,
              committed: false,
            };
      if (this.failForwards > 0) {
        this.failForwards--;
        throw new Error(`forward to ${record.sink} failed (test)`);
      }
      this.forwarded.push(record);
    };
    return {
      applicationId: 'test-app',
      taskId: '0_0',
      get recordMetadata() {
        return current().metadata;
      },
      get topic() {
        return current().metadata?.topic;
      },
      partition: 0,
      get offset() {
        return current().metadata?.offset;
      },
      get timestamp() {
        return current().timestamp;
      },
      get headers() {
        return current().headers;
      },
      forward: forward as ProcessorContext['forward'],
      store: <K, V>(name: string) => this.stores.get(name)!.typed as KeyValueStore<K, V>,
      schedule: (intervalMs: number, _type, fn: Punctuator): Cancellable => {
        const entry = { intervalMs, fn };
        this.punctuators.push(entry);
        return { cancel: () => this.punctuators.splice(this.punctuators.indexOf(entry), 1) };
      },
    };
  }
}

/** A source value as the topology's serde gives it (the bytes only matter for dead letters). */
export const received = <T>(value: T): Received<T> => ({ bytes: Buffer.from(JSON.stringify(value)), value });
