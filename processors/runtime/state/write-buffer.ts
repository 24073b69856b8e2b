/**
 * The uncommitted writes of one store in the current transaction (quix-streams' PartitionTransaction
 * buffer): reads consult it before RocksDB, so processing reads its own writes; commit turns it into
 * changelog records and one RocksDB write batch; abort drops it. A savepoint lets the runtime roll
 * back the writes of one record whose processing failed. Keys are the bytes of the key as a latin1
 * string (one char per byte), so string order is byte order.
 */

/** A value, or `null` for a deletion (a tombstone on the changelog). */
export type Pending = Buffer | null;

export class WriteBuffer {
  private readonly entries = new Map<string, Pending>();
  /** Previous states of keys written since the savepoint (`undefined`: the key was not buffered). */
  private readonly undo: [string, Pending | undefined][] = [];
  private recording = false;

  get size(): number {
    return this.entries.size;
  }

  /** The buffered state of a key: a value, `null` when deleted, `undefined` when not written. */
  get(key: string): Pending | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: Pending): void {
    if (this.recording) this.undo.push([key, this.entries.get(key)]);
    this.entries.set(key, value);
  }

  /** Starts recording what to undo; a new savepoint replaces the previous one. */
  savepoint(): void {
    this.recording = true;
    this.undo.length = 0;
  }

  /** Undoes every write since the savepoint, which stays in place. */
  rollbackToSavepoint(): void {
    if (!this.recording) return;
    for (let i = this.undo.length - 1; i >= 0; i--) {
      const [key, previous] = this.undo[i]!;
      if (previous === undefined) this.entries.delete(key);
      else this.entries.set(key, previous);
    }
    this.undo.length = 0;
  }

  releaseSavepoint(): void {
    this.recording = false;
    this.undo.length = 0;
  }

  /** Buffered entries with gte <= key < lt, sorted by key. */
  range(gte: string | undefined, lt: string | undefined): [string, Pending][] {
    const out: [string, Pending][] = [];
    for (const entry of this.entries) {
      if ((gte === undefined || entry[0] >= gte) && (lt === undefined || entry[0] < lt)) out.push(entry);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  [Symbol.iterator](): IterableIterator<[string, Pending]> {
    return this.entries[Symbol.iterator]();
  }

  clear(): void {
    this.entries.clear();
    this.undo.length = 0;
  }
}
