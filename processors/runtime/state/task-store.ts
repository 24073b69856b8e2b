/**
 * One state store of one task, at the byte level: a RocksDB database in
 * `<stateDir>/<appId>/<taskId>/<store>`, the transaction's write buffer in front of it, a cache of
 * committed entries, and the changelog checkpoint (quix-streams' StorePartition + transaction).
 *
 * Layout inside RocksDB: data keys are `d` + key bytes; `m` + name holds metadata. The checkpoint
 * (`mcheckpoint`: changelog topic, partition, next offset to restore from) is written in the same
 * write batch as the data it covers, so the store can never be ahead of, or silently behind, its
 * checkpoint. A store that cannot be opened, or whose checkpoint is missing or names another
 * changelog, is wiped and rebuilt from the changelog alone.
 */
import type { Logger } from '../../../infra/log.js';
import { StoreError, StoreLockedError } from '../errors.js';
import { RocksDb, type WriteOp } from './rocksdb.js';
import { WriteBuffer, type Pending } from './write-buffer.js';

const DATA = 0x64; // 'd'
const DATA_START = Buffer.from([DATA]);
const DATA_END = Buffer.from([DATA + 1]);
const CHECKPOINT_KEY = Buffer.from('mcheckpoint');

const dataKey = (key: Buffer): Buffer => {
  const out = Buffer.allocUnsafe(key.length + 1);
  out[0] = DATA;
  key.copy(out, 1);
  return out;
};
const toStr = (key: Buffer): string => key.toString('latin1');
const fromStr = (key: string): Buffer => Buffer.from(key, 'latin1');

/** Where restoring this store starts: the changelog partition and the next offset to read. */
export interface Checkpoint {
  topic: string;
  partition: number;
  offset: number;
  /** When it was written (ms since the epoch). */
  at?: number;
}

export interface ChangelogRecord {
  key: Buffer;
  /** `null`: a tombstone (the key was deleted). */
  value: Buffer | null;
}

export interface TaskStoreOptions {
  name: string;
  dir: string;
  changelog: { topic: string; partition: number };
  cacheEntries?: number;
  log: Logger;
  /** How long to wait for a store whose RocksDB lock is held (a task of this process still closing). Default 10 s. */
  lockWaitMs?: number;
}

/** RocksDB's refusal of a directory whose LOCK file another handle holds (this process or another). */
const isLockError = (err: unknown): boolean =>
  err instanceof Error && /\bLOCK\b|lock hold by current process|Resource temporarily unavailable/i.test(err.message);

/**
 * Opens a store, waiting while its lock is held: after a rebalance the previous owner of a task (in this
 * process) may still be closing it, as Kafka Streams' state directory lock waits too.
 * @throws StoreLockedError when the lock is still held after `waitMs`.
 */
async function openUnlocked(dir: string, waitMs: number): Promise<RocksDb> {
  const deadline = Date.now() + waitMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await RocksDb.open(dir);
    } catch (err) {
      if (!isLockError(err)) throw err;
      if (Date.now() + delay > deadline) throw new StoreLockedError(dir, { cause: err });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Why an existing local store was thrown away on open. */
export type WipeReason = 'corrupt' | 'no-checkpoint' | 'other-changelog';

const parseCheckpoint = (raw: Buffer | undefined): Checkpoint | undefined => {
  if (!raw) return undefined;
  try {
    const c = JSON.parse(raw.toString('utf8')) as Partial<Checkpoint>;
    if (
      typeof c.topic === 'string' &&
      Number.isSafeInteger(c.partition) &&
      Number.isSafeInteger(c.offset) &&
      c.offset! >= 0
    )
      return c as Checkpoint;
  } catch {
    // unparseable: treated as missing
  }
  return undefined;
};

export class TaskStore {
  private readonly buffer = new WriteBuffer();
  /** Committed values (null: known absent), least recently used first. */
  private readonly cache = new Map<string, Pending>();
  private readonly cacheEntries: number;
  private checkpointOffset: number;
  /** Counts commits and restores, so a read that raced one does not cache what it read. */
  private version = 0;

  private constructor(
    private db: RocksDb,
    private readonly options: TaskStoreOptions,
    checkpoint: number,
    /** When the checkpoint found on open was written (undefined: none, or written before this was recorded). */
    readonly checkpointAt: number | undefined,
    /** Set when open() threw away what was on disk. */
    readonly wiped: WipeReason | undefined,
  ) {
    this.checkpointOffset = checkpoint;
    this.cacheEntries = options.cacheEntries ?? 10_000;
  }

  static async open(options: TaskStoreOptions): Promise<TaskStore> {
    const { dir, log, changelog } = options;
    let db: RocksDb;
    let wiped: WipeReason | undefined;
    try {
      db = await openUnlocked(dir, options.lockWaitMs ?? 10_000);
    } catch (err) {
      // A held lock means a live store, not a corrupt one: wiping it would destroy another process's state.
      if (err instanceof StoreLockedError) throw err;
      log.warn({ err, dir }, 'local store cannot be opened: rebuilding it from the changelog');
      await RocksDb.destroy(dir);
      db = await RocksDb.open(dir);
      wiped = 'corrupt';
    }
    let checkpoint = 0;
    let checkpointAt: number | undefined;
    if (!wiped) {
      const saved = parseCheckpoint(await db.get(CHECKPOINT_KEY));
      const empty = await isEmpty(db);
      if (saved && (saved.topic !== changelog.topic || saved.partition !== changelog.partition))
        wiped = 'other-changelog';
      else if (!saved && !empty) wiped = 'no-checkpoint';
      else {
        checkpoint = saved?.offset ?? 0;
        checkpointAt = saved?.at;
      }
      if (wiped) {
        log.warn({ dir, reason: wiped, saved }, 'local store does not match its changelog: rebuilding it');
        await db.close();
        await RocksDb.destroy(dir);
        db = await RocksDb.open(dir);
      }
    }
    return new TaskStore(db, options, checkpoint, checkpointAt, wiped);
  }

  get name(): string {
    return this.options.name;
  }

  get changelog(): { topic: string; partition: number } {
    return this.options.changelog;
  }

  /** Next changelog offset to restore from: everything before it is in RocksDB. */
  get checkpoint(): number {
    return this.checkpointOffset;
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  // ---- reads and writes inside the current transaction ----

  /** Reads the transaction's own writes first, then committed state. */
  async get(key: Buffer): Promise<Buffer | undefined> {
    const k = toStr(key);
    const pending = this.buffer.get(k);
    if (pending !== undefined) return pending ?? undefined;
    return this.readCommitted(k, key);
  }

  /**
   * The value of a key when it is known without reading RocksDB: from the transaction's writes or
   * the cache (`null`: known absent); `undefined` when only get() can tell.
   */
  peek(key: Buffer): Buffer | null | undefined {
    const k = toStr(key);
    const pending = this.buffer.get(k);
    if (pending !== undefined) return pending;
    const cached = this.cache.get(k);
    if (cached !== undefined) {
      this.cache.delete(k);
      this.cache.set(k, cached);
    }
    return cached;
  }

  put(key: Buffer, value: Buffer): void {
    this.buffer.set(toStr(key), value);
  }

  delete(key: Buffer): void {
    this.buffer.set(toStr(key), null);
  }

  /** Entries with gte <= key < lt (either bound optional), merging uncommitted writes over RocksDB. */
  async *range(gte?: Buffer, lt?: Buffer): AsyncGenerator<[Buffer, Buffer]> {
    this.assertOpen();
    const pending = this.buffer.range(gte && toStr(gte), lt && toStr(lt));
    let i = 0;
    for await (const [dk, value] of this.db.entries(gte ? dataKey(gte) : DATA_START, lt ? dataKey(lt) : DATA_END)) {
      const key = dk.subarray(1);
      const k = toStr(key);
      for (; i < pending.length && pending[i]![0] < k; i++) {
        const [pk, pv] = pending[i]!;
        if (pv) yield [fromStr(pk), pv];
      }
      if (i < pending.length && pending[i]![0] === k) {
        const pv = pending[i++]![1];
        if (pv) yield [key, pv];
        continue;
      }
      yield [key, value];
    }
    for (; i < pending.length; i++) {
      const [pk, pv] = pending[i]!;
      if (pv) yield [fromStr(pk), pv];
    }
  }

  savepoint(): void {
    this.buffer.savepoint();
  }

  rollbackToSavepoint(): void {
    this.buffer.rollbackToSavepoint();
  }

  releaseSavepoint(): void {
    this.buffer.releaseSavepoint();
  }

  get hasPendingWrites(): boolean {
    return this.buffer.size > 0;
  }

  /** The transaction's writes, one per key (the last one wins): what goes to the changelog. */
  *pendingWrites(): Generator<ChangelogRecord> {
    for (const [k, value] of this.buffer) yield { key: fromStr(k), value };
  }

  /**
   * Applies the transaction's writes and the new checkpoint in one RocksDB write batch. Called only
   * after the Kafka transaction holding their changelog records has committed.
   */
  async commit(checkpoint: number): Promise<void> {
    this.assertOpen();
    const ops: WriteOp[] = [];
    for (const [k, value] of this.buffer) ops.push({ key: dataKey(fromStr(k)), value });
    const next = Math.max(checkpoint, this.checkpointOffset);
    ops.push({ key: CHECKPOINT_KEY, value: this.encodeCheckpoint(next) });
    await this.db.write(ops);
    this.version++;
    for (const [k, value] of this.buffer) this.remember(k, value);
    this.buffer.clear();
    this.checkpointOffset = next;
  }

  /** Drops the transaction's writes (abort). */
  discard(): void {
    this.buffer.clear();
  }

  // ---- committed state: interactive queries, restore ----

  /** Reads committed state only: what an interactive query may see. */
  async getCommitted(key: Buffer): Promise<Buffer | undefined> {
    return this.readCommitted(toStr(key), key);
  }

  /** Committed entries with gte <= key < lt, from RocksDB alone. */
  async *rangeCommitted(gte?: Buffer, lt?: Buffer): AsyncGenerator<[Buffer, Buffer]> {
    this.assertOpen();
    for await (const [dk, value] of this.db.entries(gte ? dataKey(gte) : DATA_START, lt ? dataKey(lt) : DATA_END))
      yield [dk.subarray(1), value];
  }

  /** Applies changelog records read during restore, with the offset to resume from, atomically. */
  async restore(records: readonly ChangelogRecord[], nextOffset: number): Promise<void> {
    this.assertOpen();
    const ops: WriteOp[] = records.map((r) => ({ key: dataKey(r.key), value: r.value }));
    const next = Math.max(nextOffset, this.checkpointOffset);
    ops.push({ key: CHECKPOINT_KEY, value: this.encodeCheckpoint(next) });
    await this.db.write(ops);
    this.version++;
    for (const r of records) this.cache.delete(toStr(r.key));
    this.checkpointOffset = next;
  }

  /** Throws the local state away (the changelog will rebuild it from `offset`). */
  async wipe(): Promise<void> {
    await this.db.close();
    await RocksDb.destroy(this.options.dir);
    this.db = await RocksDb.open(this.options.dir);
    this.version++;
    this.cache.clear();
    this.buffer.clear();
    this.checkpointOffset = 0;
  }

  approximateNumEntries(): number {
    return this.db.isOpen ? Math.max(0, this.db.estimatedKeys() - 1) : 0;
  }

  approximateSizeBytes(): number {
    return this.db.isOpen ? this.db.estimatedBytes() : 0;
  }

  async close(): Promise<void> {
    this.buffer.clear();
    this.cache.clear();
    await this.db.close();
  }

  private async readCommitted(k: string, key: Buffer): Promise<Buffer | undefined> {
    const cached = this.cache.get(k);
    if (cached !== undefined) {
      this.cache.delete(k);
      this.cache.set(k, cached);
      return cached ?? undefined;
    }
    this.assertOpen();
    const version = this.version;
    const value = await this.db.get(dataKey(key));
    // A commit or restore while we were reading may have changed the key: then do not cache.
    if (version === this.version) this.remember(k, value ?? null);
    return value;
  }

  private remember(k: string, value: Pending): void {
    this.cache.delete(k);
    this.cache.set(k, value);
    if (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }

  private encodeCheckpoint(offset: number): Buffer {
    const c: Checkpoint = { ...this.options.changelog, offset, at: Date.now() };
    return Buffer.from(JSON.stringify(c), 'utf8');
  }

  private assertOpen(): void {
    if (!this.db.isOpen) throw StoreError(`store '${this.options.name}' (${this.options.dir}) is closed`);
  }
}

const isEmpty = async (db: RocksDb): Promise<boolean> => {
  for await (const _ of db.entries(Buffer.alloc(0), Buffer.from([0xff]))) return false;
  return true;
};
