/**
 * The event inventories of one task in memory, kept in step with the task's stores.
 *
 * `evolve` mutates an inventory in place, so memory runs ahead of the store until the runtime
 * commits. When the runtime rolls a record back (its processing threw: the store returns to a
 * savepoint) or aborts a transaction (the store drops everything since the last commit), the
 * inventories those writes came from are wrong. The runtime tells processors neither, so every
 * event carries a generation: a counter in the inventory store (`generationKey`, outside the
 * event's key prefix), bumped with every write of the event. Before an inventory is used, its
 * generation is compared with the store's (one read, served by the write buffer or the store's
 * cache); a mismatch means a rollback happened, and the inventory is reloaded from the store. A
 * rollback always removes a suffix of the writes, so the store's generation is then strictly lower
 * than the one in memory: the check cannot be fooled. (The decider's meta record would not do: a
 * rejection rewrites it unchanged when the clock does not move, so two states can share it.)
 *
 * Events the catalog does not define are never kept (arbitrary event ids create no state). Past
 * `maxEvents`, the least recently used inventory is dropped; if it still needs the punctuators (live
 * holds, an unpublished snapshot, decisions to forget) it is remembered as dormant with the time it
 * needs them. At task start every event of the store is dormant and due, so that holds expire and
 * snapshots converge even for events that receive no more commands.
 */
import type { KeyValueStore } from '../runtime/index.js';
import type { AvailabilityView } from './availabilityView.js';
import { DECISION_RETENTION_MS } from './decider.js';
import { EventInventory } from './inventory.js';
import { eventPrefix, loadInventory } from './storeLayout.js';

/** The inventory store key holding an event's generation. `#` never starts an event prefix (it is URI-encoded). */
export const generationKey = (eventId: string): string => `${GENERATION_PREFIX}${encodeURIComponent(eventId)}`;
const GENERATION_PREFIX = '#gen/';

export interface CachedEvent {
  readonly eventId: string;
  readonly inventory: EventInventory;
  /** The store's generation this inventory matches. */
  generation: number;
  /** The last availability snapshot published (wall-clock `at`; 0 when only its version is known), or null. */
  published: { version: number; at: number } | null;
}

export type LoadReason = 'miss' | 'stale';

export class EventCache {
  /** Least recently used first. */
  private readonly cached = new Map<string, CachedEvent>();
  /** Events with state in the store but not in memory, and when the punctuators need them (epoch ms). */
  private readonly dormant = new Map<string, number>();

  constructor(
    private readonly inventories: KeyValueStore<string, Buffer>,
    private readonly snapshots: KeyValueStore<string, AvailabilityView>,
    private readonly maxEvents: number,
    private readonly onLoad: (reason: LoadReason, eventId: string) => void = () => undefined,
  ) {
    if (!(maxEvents >= 1)) throw new Error(`maxEvents must be at least 1 (got ${maxEvents})`);
  }

  /**
   * The event's state, checked against the store first (see above). An undefined event gets a
   * fresh empty inventory, not kept.
   */
  async get(eventId: string): Promise<CachedEvent> {
    const stored = await this.storedGeneration(eventId);
    const hit = this.cached.get(eventId);
    if (hit && hit.generation === stored) {
      this.cached.delete(eventId);
      this.cached.set(eventId, hit);
      return hit;
    }
    this.onLoad(hit ? 'stale' : 'miss', eventId);
    const entries: [string, Uint8Array][] = [];
    for await (const { key, value } of this.inventories.prefixScan(eventPrefix(eventId))) entries.push([key, value]);
    const inventory = loadInventory(eventId, entries);
    const snapshot = await this.snapshots.get(eventId);
    const entry: CachedEvent = {
      eventId,
      inventory,
      generation: stored,
      published: snapshot ? { version: snapshot.version, at: 0 } : null,
    };
    this.dormant.delete(eventId);
    if (inventory.definition) this.keep(entry);
    else this.cached.delete(eventId);
    return entry;
  }

  /**
   * Writes what the inventory changed since its last save (its dirty keys) and a new generation.
   * Keeps the event in memory once it is defined.
   */
  async save(entry: CachedEvent, writes: readonly { key: string; value: Uint8Array | null }[]): Promise<void> {
    if (writes.length === 0) return;
    for (const w of writes) {
      if (w.value === null) await this.inventories.delete(w.key);
      else await this.inventories.put(w.key, Buffer.from(w.value.buffer, w.value.byteOffset, w.value.byteLength));
    }
    await this.bump(entry);
    if (entry.inventory.definition) this.keep(entry);
  }

  /** Stores the snapshot just published (for interactive reads) and remembers it. */
  async published(entry: CachedEvent, view: AvailabilityView, at: number): Promise<void> {
    await this.snapshots.put(entry.eventId, view);
    await this.bump(entry);
    entry.published = { version: view.version, at };
  }

  /**
   * Removes an event's state (a catalog tombstone): its inventory keys and its snapshot. Its
   * generation stays, one higher, so that generations never go back (a purge and a re-creation
   * rolled back together must still be noticed). Returns the number of entries deleted.
   */
  async purge(eventId: string): Promise<number> {
    const generation = await this.storedGeneration(eventId);
    const keys: string[] = [];
    for await (const { key } of this.inventories.prefixScan(eventPrefix(eventId))) keys.push(key);
    for (const key of keys) await this.inventories.delete(key);
    let removed = keys.length;
    if ((await this.snapshots.get(eventId)) !== undefined) {
      await this.snapshots.delete(eventId);
      removed++;
    }
    if (removed > 0) await this.inventories.put(generationKey(eventId), encodeGeneration(generation + 1));
    this.cached.delete(eventId);
    this.dormant.delete(eventId);
    return removed;
  }

  /** Forgets an inventory whose mutation failed half-way: the next get() reloads it. */
  drop(eventId: string): void {
    this.cached.delete(eventId);
  }

  /** The events in memory, least recently used first (a copy: using them may reorder the cache). */
  eventIds(): string[] {
    return [...this.cached.keys()];
  }

  /** Dormant events whose time has come, earliest first, at most `limit`. */
  dueDormant(now: number, limit: number): string[] {
    return [...this.dormant]
      .filter(([, due]) => due <= now)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([id]) => id);
  }

  get size(): number {
    return this.cached.size;
  }

  /** Makes every event of the store dormant and due now (at task start). Returns how many there are. */
  async discover(): Promise<number> {
    let n = 0;
    for await (const { key } of this.inventories.prefixScan(GENERATION_PREFIX)) {
      const eventId = decodeURIComponent(key.slice(GENERATION_PREFIX.length));
      if (!this.cached.has(eventId)) this.dormant.set(eventId, 0);
      n++;
    }
    return n;
  }

  private async storedGeneration(eventId: string): Promise<number> {
    const raw = await this.inventories.get(generationKey(eventId));
    return raw === undefined ? 0 : Number(raw.toString('latin1'));
  }

  private async bump(entry: CachedEvent): Promise<void> {
    entry.generation++;
    await this.inventories.put(generationKey(entry.eventId), encodeGeneration(entry.generation));
  }

  private keep(entry: CachedEvent): void {
    this.cached.delete(entry.eventId);
    this.cached.set(entry.eventId, entry);
    for (const [id, old] of this.cached) {
      if (this.cached.size <= this.maxEvents) break;
      if (id === entry.eventId) continue;
      this.cached.delete(id);
      const due = dueTime(old);
      if (due !== undefined) this.dormant.set(id, due);
    }
  }
}

const encodeGeneration = (n: number): Buffer => Buffer.from(String(n), 'latin1');

/** When an inventory dropped from memory needs the punctuators again, or undefined if it does not. */
function dueTime(entry: CachedEvent): number | undefined {
  const inv = entry.inventory;
  if (!inv.definition) return undefined;
  if (entry.published?.version !== inv.version) return 0;
  let due = Infinity;
  for (const h of inv.holds.values()) if (h.expiresAt < due) due = h.expiresAt;
  const oldest = inv.decisions.values().next();
  if (!oldest.done) due = Math.min(due, oldest.value.at + DECISION_RETENTION_MS + 1);
  return due === Infinity ? undefined : due;
}
