/**
 * A promise-shaped view of the `rocksdb` binding (npm rocksdb 5.2.1, an abstract-leveldown store
 * with its bundled prebuilt RocksDB). Keys and values are Buffers; nothing else of the runtime
 * touches the binding.
 */
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';

type Callback<T = void> = (err: Error | null | undefined, result?: T) => void;

interface RawIterator {
  next(cb: (err: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void;
  end(cb: Callback): void;
}

interface RawDb {
  open(options: { createIfMissing?: boolean; errorIfExists?: boolean }, cb: Callback): void;
  close(cb: Callback): void;
  get(key: Buffer, options: { asBuffer: true }, cb: Callback<Buffer>): void;
  getMany(keys: Buffer[], options: { asBuffer: true }, cb: Callback<(Buffer | undefined)[]>): void;
  batch(ops: RawBatchOp[], options: { sync?: boolean }, cb: Callback): void;
  iterator(options: {
    gte?: Buffer;
    lt?: Buffer;
    keyAsBuffer: true;
    valueAsBuffer: true;
    highWaterMark?: number;
  }): RawIterator;
  getProperty(name: string): string;
}

type RawBatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

const require = createRequire(import.meta.url);
const open = require('rocksdb') as (location: string) => RawDb;

const call = <T = void>(fn: (cb: Callback<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result as T))));

/** A write batch entry: `value: null` deletes the key. */
export interface WriteOp {
  key: Buffer;
  value: Buffer | null;
}

export class RocksDb {
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly db: RawDb,
  ) {}

  /** Opens (creating if missing) the database in `dir`. @throws when the files are unreadable or corrupt. */
  static async open(dir: string): Promise<RocksDb> {
    await mkdir(dir, { recursive: true });
    const db = open(dir);
    await call((cb) => db.open({ createIfMissing: true }, cb));
    return new RocksDb(dir, db);
  }

  /** Removes a database directory, whatever state it is in. */
  static async destroy(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    // getMany answers `undefined` for a missing key instead of a NotFound error.
    const [value] = await call<(Buffer | undefined)[]>((cb) => this.db.getMany([key], { asBuffer: true }, cb));
    return value;
  }

  /** Applies every operation atomically (one RocksDB WriteBatch, through the write-ahead log). */
  async write(ops: readonly WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    const raw: RawBatchOp[] = ops.map((op) =>
      op.value === null ? { type: 'del', key: op.key } : { type: 'put', key: op.key, value: op.value },
    );
    await call((cb) => this.db.batch(raw, {}, cb));
  }

  /** Entries with gte <= key < lt in key byte order, from a snapshot taken at the first step. */
  async *entries(gte: Buffer, lt: Buffer): AsyncGenerator<[Buffer, Buffer]> {
    const it = this.db.iterator({ gte, lt, keyAsBuffer: true, valueAsBuffer: true });
    try {
      while (true) {
        const [key, value] = await new Promise<[Buffer | undefined, Buffer | undefined]>((resolve, reject) =>
          it.next((err, k, v) => (err ? reject(err) : resolve([k, v]))),
        );
        if (key === undefined || value === undefined) return;
        yield [key, value];
      }
    } finally {
      await call((cb) => it.end(cb));
    }
  }

  /** RocksDB's own estimate of the number of keys (memtables and files). */
  estimatedKeys(): number {
    return Number(this.db.getProperty('rocksdb.estimate-num-keys')) || 0;
  }

  /** Bytes in memtables plus SST files: what the store costs now, roughly. */
  estimatedBytes(): number {
    const n = (p: string) => Number(this.db.getProperty(p)) || 0;
    return n('rocksdb.cur-size-all-mem-tables') + n('rocksdb.total-sst-files-size');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await call((cb) => this.db.close(cb));
  }
}
