import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, evolve, DECISION_RETENTION_MS } from './decider.js';
import { EVENT, T0, confirm, definition, expire, holdGa, holdSeats, release } from './fixtures.js';
import { EventInventory, emptyInventory } from './inventory.js';
import { SeatCommand } from './model.js';
import { assertSameInventory } from './specification.js';
import { StoreWrite, allWrites, drainWrites, eventPrefix, loadInventory } from './storeLayout.js';

/** The key-value content the writes leave behind (what RocksDB holds after applying them in order). */
function apply(content: Map<string, Uint8Array>, writes: StoreWrite[]): Map<string, Uint8Array> {
  for (const w of writes) {
    if (w.value === null) content.delete(w.key);
    else content.set(w.key, w.value);
  }
  return content;
}

function run(inv: EventInventory, ...commands: SeatCommand[]): EventInventory {
  for (const c of commands) for (const e of decide(c, inv)) evolve(inv, e);
  return inv;
}

const keysOf = (writes: StoreWrite[]) =>
  writes.map((w) => `${w.value === null ? 'delete' : 'put'} ${w.key.slice(eventPrefix(EVENT).length)}`);

describe('storeLayout', () => {
  it('a hold writes its hold, its decision and the meta record; nothing else', () => {
    const inv = run(emptyInventory(EVENT), { type: 'ApplyCatalog', definition: definition() });
    drainWrites(inv);
    run(inv, holdSeats('alice', ['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4'], { requestId: 'r1' }));
    assert.deepEqual(keysOf(drainWrites(inv)), ['put hold/H-r1', 'put meta', 'put req/r1']);
    assert.deepEqual(drainWrites(inv), [], 'drained');
  });

  it('a rejection writes its decision and the meta record', () => {
    const inv = run(emptyInventory(EVENT), { type: 'ApplyCatalog', definition: definition() });
    drainWrites(inv);
    run(inv, holdSeats('alice', ['Z-1-1'], { requestId: 'r2' }));
    assert.deepEqual(keysOf(drainWrites(inv)), ['put meta', 'put req/r2']);
  });

  it('a confirmation deletes the hold and writes the booking', () => {
    const inv = run(
      emptyInventory(EVENT),
      { type: 'ApplyCatalog', definition: definition() },
      holdSeats('alice', ['A-1-1'], { requestId: 'r1' }),
    );
    drainWrites(inv);
    run(inv, confirm('alice', 'H-r1', 'psp', { requestId: 'r3' }));
    assert.deepEqual(keysOf(drainWrites(inv)), ['put book/B-r1', 'delete hold/H-r1', 'put meta', 'put req/r3']);
  });

  it('a catalog revision rewrites the meta record and only the sections that changed', () => {
    const inv = run(emptyInventory(EVENT), { type: 'ApplyCatalog', definition: definition() });
    assert.deepEqual(keysOf(drainWrites(inv)), ['put meta', 'put sec/A', 'put sec/B', 'put sec/GA']);
    const revised = definition({ version: 2 });
    revised.venue.sections[1]!.name = 'Side (renamed)';
    revised.venue.sections.pop();
    run(inv, { type: 'ApplyCatalog', definition: revised });
    assert.deepEqual(keysOf(drainWrites(inv)), ['put meta', 'put sec/B', 'delete sec/GA']);
  });

  it('forgotten decisions are deleted', () => {
    const inv = run(
      emptyInventory(EVENT),
      { type: 'ApplyCatalog', definition: definition() },
      holdSeats('alice', ['A-1-1'], { requestId: 'r1' }),
    );
    drainWrites(inv);
    run(inv, expire(T0 + 1000 + DECISION_RETENTION_MS + 1));
    assert.deepEqual(keysOf(drainWrites(inv)), ['delete hold/H-r1', 'put meta', 'delete req/r1']);
  });

  it('loading the written keys reproduces the inventory exactly', () => {
    const inv = emptyInventory(EVENT);
    const content = new Map<string, Uint8Array>();
    const step = (...commands: SeatCommand[]) => {
      run(inv, ...commands);
      apply(content, drainWrites(inv));
      assertSameInventory(loadInventory(EVENT, content), inv);
    };
    step({ type: 'ApplyCatalog', definition: definition() });
    step(holdSeats('alice', ['A-1-1', 'A-1-2'], { requestId: 'r1' }), holdGa('bob', 'GA', 3, { requestId: 'r2' }));
    step(confirm('alice', 'H-r1', 'psp', { requestId: 'r3' }), release('bob', 'H-r2', { requestId: 'r4' }));
    const removed = definition({ version: 2 });
    removed.venue.sections[0]!.rows[0]!.runs[0]!.count = 1; // A-1-2 (sold) leaves the map
    step({ type: 'ApplyCatalog', definition: removed }, holdSeats('carol', ['A-2-1'], { requestId: 'r5' }));
    step(expire(T0 + 2 * DECISION_RETENTION_MS));
    assert.ok(inv.retainedSeats.has('A-1-2'));
    assertSameInventory(
      loadInventory(
        EVENT,
        allWrites(inv).map((w) => [w.key, w.value!] as const),
      ),
      inv,
    );
  });

  it('an empty scan is an undefined event', () => {
    const inv = loadInventory(EVENT, []);
    assert.equal(inv.definition, null);
    assert.equal(inv.version, 0);
  });

  it('keeps events apart even when an id contains the separator', () => {
    assert.notEqual(eventPrefix('a/b'), eventPrefix('a').concat('b/'));
    assert.ok(!eventPrefix('a/b').startsWith(eventPrefix('a')));
    const inv = run(emptyInventory('a/b'), { type: 'ApplyCatalog', definition: definition({ eventId: 'a/b' }) });
    const writes = drainWrites(inv);
    assert.ok(writes.every((w) => w.key.startsWith('a%2Fb/')));
    assert.throws(() =>
      loadInventory(
        'a',
        writes.map((w) => [w.key, w.value!] as const),
      ),
    );
  });
});
