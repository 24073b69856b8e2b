/**
 * How an event inventory lives in the task's key-value store (RocksDB, backed by the compacted
 * changelog seat-allocation-inventory-changelog).
 *
 * Only facts are stored; every index (seat states, free seats per run, tallies, tickets per buyer)
 * is rebuilt from them when the inventory is loaded. Keys, all under the event's prefix
 * `<encodeURIComponent(eventId)>/` so that one prefix scan loads an event:
 *
 *   meta              {format, version, asOf, clock, head, sectionIds}: counters and the definition
 *                     without its sections (null head = event not defined)
 *   sec/<sectionId>   one section of the seat map (rows and runs), so no value grows with the venue
 *   hold/<holdId>     a live hold
 *   book/<bookingId>  a booking
 *   req/<requestId>   a remembered decision {at, event}
 *
 * Ids in keys are URI-encoded. Values are UTF-8 JSON. A hold of 4 seats writes 3 keys (hold, req,
 * meta), a rejection 2 (req, meta), a confirmation 4; a catalog revision rewrites meta and the
 * sections that changed.
 */
import {
  EventInventory,
  RememberedDecision,
  bookingKey,
  decisionKey,
  emptyInventory,
  holdKey,
  metaKey,
  reindex,
  sectionKey,
} from './inventory.js';
import { Booking, EventDefinition, Hold, SectionDef, VenueDef } from './model.js';

/** A put (value) or a delete (null) for the store and its changelog. */
export interface StoreWrite {
  key: string;
  value: Uint8Array | null;
}

type DefinitionHead = Omit<EventDefinition, 'venue'> & { venue: Omit<VenueDef, 'sections'> };

interface MetaRecord {
  format: 1;
  version: number;
  asOf: number;
  clock: number;
  head: DefinitionHead | null;
  sectionIds: string[];
}

/** The prefix of every key of an event: scan it to load the event. */
export const eventPrefix = (eventId: string): string => `${encodeURIComponent(eventId)}/`;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const encode = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value));
const decode = <T>(bytes: Uint8Array): T => JSON.parse(decoder.decode(bytes)) as T;

/** The writes that persist what changed since the last call (the inventory's dirty keys), which it clears. */
export function drainWrites(inv: EventInventory): StoreWrite[] {
  const prefix = eventPrefix(inv.eventId);
  const writes: StoreWrite[] = [];
  for (const key of [...inv.dirty].sort()) {
    const slash = key.indexOf('/');
    const kind = slash < 0 ? key : key.slice(0, slash);
    const id = slash < 0 ? '' : decodeURIComponent(key.slice(slash + 1));
    let value: unknown;
    switch (kind) {
      case metaKey:
        value = metaOf(inv);
        break;
      case 'sec':
        value = inv.definition?.venue.sections.find((s) => s.id === id);
        break;
      case 'hold':
        value = inv.holds.get(id);
        break;
      case 'book':
        value = inv.bookings.get(id);
        break;
      case 'req':
        value = inv.decisions.get(id);
        break;
      default:
        throw new Error(`unknown store key kind in ${key}`);
    }
    writes.push({ key: prefix + key, value: value === undefined ? null : encode(value) });
  }
  inv.dirty.clear();
  return writes;
}

/** Every write that would recreate the inventory from nothing (a full snapshot of its facts). */
export function allWrites(inv: EventInventory): StoreWrite[] {
  const saved = new Set(inv.dirty);
  inv.dirty.add(metaKey);
  for (const s of inv.definition?.venue.sections ?? []) inv.dirty.add(sectionKey(s.id));
  for (const id of inv.holds.keys()) inv.dirty.add(holdKey(id));
  for (const id of inv.bookings.keys()) inv.dirty.add(bookingKey(id));
  for (const id of inv.decisions.keys()) inv.dirty.add(decisionKey(id));
  const writes = drainWrites(inv);
  for (const k of saved) inv.dirty.add(k);
  return writes;
}

function metaOf(inv: EventInventory): MetaRecord {
  let head: DefinitionHead | null = null;
  if (inv.definition) {
    const { sections: _, ...venue } = inv.definition.venue;
    head = { ...inv.definition, venue };
  }
  return {
    format: 1,
    version: inv.version,
    asOf: inv.asOf,
    clock: inv.clock,
    head,
    sectionIds: inv.definition?.venue.sections.map((s) => s.id) ?? [],
  };
}

/**
 * Rebuilds an event's inventory from the entries of a scan of its prefix (keys with the prefix,
 * in any order). No entries gives an empty inventory (event not defined yet).
 */
export function loadInventory(eventId: string, entries: Iterable<readonly [string, Uint8Array]>): EventInventory {
  const prefix = eventPrefix(eventId);
  const inv = emptyInventory(eventId);
  let meta: MetaRecord | null = null;
  const sections = new Map<string, SectionDef>();
  const decisions: [string, RememberedDecision][] = [];
  for (const [fullKey, bytes] of entries) {
    if (!fullKey.startsWith(prefix)) throw new Error(`key ${fullKey} is not under ${prefix}`);
    const key = fullKey.slice(prefix.length);
    const slash = key.indexOf('/');
    const kind = slash < 0 ? key : key.slice(0, slash);
    const id = slash < 0 ? '' : decodeURIComponent(key.slice(slash + 1));
    switch (kind) {
      case metaKey:
        meta = decode<MetaRecord>(bytes);
        if (meta.format !== 1) throw new Error(`unknown inventory format ${String(meta.format)}`);
        break;
      case 'sec':
        sections.set(id, decode<SectionDef>(bytes));
        break;
      case 'hold':
        inv.holds.set(id, decode<Hold>(bytes));
        break;
      case 'book':
        inv.bookings.set(id, decode<Booking>(bytes));
        break;
      case 'req':
        decisions.push([id, decode<RememberedDecision>(bytes)]);
        break;
      default:
        throw new Error(`unknown store key ${fullKey}`);
    }
  }
  if (meta) {
    inv.version = meta.version;
    inv.asOf = meta.asOf;
    inv.clock = meta.clock;
    if (meta.head) {
      const venueSections = meta.sectionIds.map((id) => {
        const s = sections.get(id);
        if (!s) throw new Error(`section ${id} of event ${eventId} is missing from the store`);
        return s;
      });
      inv.definition = { ...meta.head, venue: { ...meta.head.venue, sections: venueSections } };
    }
  }
  // Remembered decisions are forgotten oldest first: restore that order (their `at` is monotonic).
  decisions.sort((a, b) => a[1].at - b[1].at);
  for (const [id, d] of decisions) inv.decisions.set(id, d);
  reindex(inv);
  return inv;
}
