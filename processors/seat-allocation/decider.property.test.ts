/**
 * Random interleavings of holds (specific, best-available, general admission), releases,
 * confirmations, cancellations, expiries, retries, seat-map revisions and store reloads by several
 * buyers on the small hall of fixtures.ts. After every step:
 *  - no seat is held or sold by two holds or bookings at once, and the seat states are the facts';
 *  - the availability snapshot equals a recount from the facts (counts and packed seat states);
 *  - a hold never takes a buyer beyond the limit, nor a general-admission section beyond capacity;
 *  - a retried request id gets the earlier decision (while remembered) and changes nothing;
 *  - an inventory persisted through storeLayout and reloaded equals the live one, and decides the
 *    rest of the sequence exactly as a twin that was never reloaded.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { availabilityOf, Counts, seatStatusAt } from './availability.js';
import { DECISION_RETENTION_MS, decide, evolve } from './decider.js';
import { EVENT, T0, cancel, confirm, definition, expire, holdBest, holdGa, holdSeats, release } from './fixtures.js';
import { EventInventory, FREE, HELD, SOLD, emptyInventory } from './inventory.js';
import { EventDefinition, ReservationCommand, SeatCommand, SeatEvent, SeatsHeld, ticketCount } from './model.js';
import { assertSameInventory } from './specification.js';
import { drainWrites, loadInventory } from './storeLayout.js';

const buyers = ['b0', 'b1', 'b2', 'b3', 'b4'];
const allSeatIds = (() => {
  const ids: string[] = [];
  for (const row of [1, 2, 3]) for (let n = 1; n <= 10; n++) ids.push(`A-${row}-${n}`);
  for (let n = 1; n <= 8; n++) ids.push(`B-1-${n}`);
  return ids;
})();

/** Seat-map revisions applied mid-sale: category change, removed seats, capacity cut, and back. */
function revision(variant: number, version: number): EventDefinition {
  const d = definition({ version });
  switch (variant) {
    case 1:
      d.venue.sections[0]!.rows[0]!.runs[0]!.priceCategoryId = 'STD';
      break;
    case 2:
      d.venue.sections[0]!.rows[0]!.runs[0]!.count = 8;
      d.venue.sections[1]!.rows[0]!.runs.pop();
      break;
    case 3:
      d.venue.sections[2]!.capacity = 3;
      break;
  }
  return d;
}

type Step =
  | { kind: 'seats'; buyer: number; seats: string[] }
  | { kind: 'best'; buyer: number; quantity: number; section: string | null; category: string | null }
  | { kind: 'ga'; buyer: number; quantity: number }
  | { kind: 'release' | 'confirm'; buyer: number; pick: number; owner: boolean }
  | { kind: 'cancel'; buyer: number; pick: number; owner: boolean; byOperator: boolean }
  | { kind: 'expire' }
  | { kind: 'tick'; ms: number }
  | { kind: 'retry'; pick: number }
  | { kind: 'catalog'; variant: number }
  | { kind: 'reload' };

const buyer = fc.integer({ min: 0, max: buyers.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('seats' as const),
      buyer,
      seats: fc.subarray([...allSeatIds, 'A-9-9'], { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('best' as const),
      buyer,
      quantity: fc.integer({ min: 1, max: 5 }),
      section: fc.constantFrom(null, 'A', 'B'),
      category: fc.constantFrom(null, 'VIP', 'STD'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('ga' as const), buyer, quantity: fc.integer({ min: 1, max: 4 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('release' as const), buyer, pick: fc.nat(), owner: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('confirm' as const), buyer, pick: fc.nat(), owner: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cancel' as const),
      buyer,
      pick: fc.nat(),
      owner: fc.boolean(),
      byOperator: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'expire' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 8 * 60_000 }), fc.constant(DECISION_RETENTION_MS + 1)),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('catalog' as const), variant: fc.integer({ min: 0, max: 3 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'reload' as const }) },
);

interface Issued {
  cmd: ReservationCommand;
  decision: SeatEvent;
}

/** Seat states, tickets per buyer and places per GA section, recounted from holds and bookings alone. */
function recount(inv: EventInventory) {
  const seatOwner = new Map<string, { state: typeof HELD | typeof SOLD; sectionId: string; priceCategoryId: string }>();
  const tickets = new Map<string, number>();
  const places = new Map<string, { held: number; sold: number; priceCategoryId: string }>();
  const claim = (
    h: { buyerId: string; seats: SeatsHeld['seats']; ga: SeatsHeld['ga'] },
    state: typeof HELD | typeof SOLD,
  ) => {
    for (const s of h.seats) {
      assert.ok(!seatOwner.has(s.seatId), `seat ${s.seatId} is taken twice`);
      seatOwner.set(s.seatId, { state, sectionId: s.sectionId, priceCategoryId: s.priceCategoryId });
    }
    if (h.ga) {
      const p = places.get(h.ga.sectionId) ?? { held: 0, sold: 0, priceCategoryId: h.ga.priceCategoryId };
      if (state === HELD) p.held += h.ga.quantity;
      else p.sold += h.ga.quantity;
      places.set(h.ga.sectionId, p);
    }
    tickets.set(h.buyerId, (tickets.get(h.buyerId) ?? 0) + ticketCount(h));
  };
  for (const h of inv.holds.values()) claim(h, HELD);
  for (const b of inv.bookings.values()) claim(b, SOLD);
  return { seatOwner, tickets, places };
}

function checkInvariants(inv: EventInventory): void {
  const def = inv.definition!;
  const map = inv.map!;
  const { seatOwner, tickets, places } = recount(inv);
  assert.deepEqual(new Map([...inv.buyerTickets].sort()), new Map([...tickets].sort()));

  const bySection = new Map<string, Counts>();
  const byCategory = new Map<string, Counts>(
    def.priceCategories.map((c) => [c.id, { free: 0, held: 0, sold: 0, total: 0 }]),
  );
  const add = (into: Map<string, Counts>, id: string, state: number, n = 1) => {
    const c = into.get(id) ?? { free: 0, held: 0, sold: 0, total: 0 };
    if (state === FREE) c.free += n;
    if (state === HELD) c.held += n;
    if (state === SOLD) c.sold += n;
    c.total += n;
    into.set(id, c);
  };
  const seatStates = new Map<string, number>();
  for (const s of def.venue.sections) {
    if (s.kind === 'generalAdmission') {
      const p = places.get(s.id) ?? { held: 0, sold: 0 };
      const free = Math.max(0, s.capacity! - p.held - p.sold);
      for (const [state, n] of [
        [FREE, free],
        [HELD, p.held],
        [SOLD, p.sold],
      ] as const) {
        add(bySection, s.id, state, n);
        add(byCategory, s.priceCategoryId!, state, n);
      }
      continue;
    }
    add(bySection, s.id, FREE, 0);
    for (const r of s.rows)
      for (const run of r.runs)
        for (let k = 0; k < run.count; k++) {
          const id = `${s.id}-${r.id}-${run.firstNumber + k * run.numberStep}`;
          const state = seatOwner.get(id)?.state ?? FREE;
          seatStates.set(id, state);
          add(bySection, s.id, state);
          add(byCategory, run.priceCategoryId, state);
        }
  }
  for (const [id, o] of seatOwner)
    if (!seatStates.has(id)) {
      add(bySection, o.sectionId, o.state);
      add(byCategory, o.priceCategoryId, o.state);
    }
  for (const [sectionId, p] of places)
    if (!def.venue.sections.some((s) => s.id === sectionId && s.kind === 'generalAdmission')) {
      add(bySection, sectionId, HELD, p.held);
      add(bySection, sectionId, SOLD, p.sold);
      add(byCategory, p.priceCategoryId, HELD, p.held);
      add(byCategory, p.priceCategoryId, SOLD, p.sold);
    }

  for (const [id, state] of seatStates) assert.equal(inv.seatState[map.seatIndex.get(id)!], state, `state of ${id}`);
  const a = availabilityOf(inv)!;
  assert.deepEqual(new Map(a.sections.map((s) => [s.sectionId, s.counts])), bySection);
  assert.deepEqual(new Map(a.priceCategories.map((p) => [p.priceCategoryId, p.counts])), byCategory);
  const sum = (k: keyof Counts) => a.sections.reduce((n, s) => n + s.counts[k], 0);
  assert.deepEqual(a.totals, { free: sum('free'), held: sum('held'), sold: sum('sold'), total: sum('total') });
  for (const s of a.sections) {
    const si = map.sectionIndex.get(s.sectionId);
    if (si === undefined) continue;
    const { seatStart, seatEnd } = map.sections[si]!;
    for (let i = seatStart; i < seatEnd; i++)
      assert.equal(
        seatStatusAt(s.seatStatus, i - seatStart),
        seatStates.get(map.seatIds[i]!),
        `packed ${map.seatIds[i]}`,
      );
  }
}

function play(steps: Step[]): void {
  let now = T0 + 1000;
  let version = 1;
  let forgetBefore = -Infinity;
  let seq = 0;
  const store = new Map<string, Uint8Array>();
  let live = emptyInventory(EVENT);
  const twin = emptyInventory(EVENT);
  const issued: Issued[] = [];
  const holds: SeatsHeld[] = [];
  const bookings: { bookingId: string; buyerId: string }[] = [];

  const persist = () => {
    for (const w of drainWrites(live)) {
      if (w.value === null) store.delete(w.key);
      else store.set(w.key, w.value);
    }
  };
  const send = (cmd: SeatCommand): SeatEvent[] => {
    const decided = decide(cmd, live);
    assert.deepStrictEqual(decide(cmd, twin), decided, 'a reloaded inventory decides like one never reloaded');
    for (const e of decided) {
      evolve(live, e);
      evolve(twin, e);
    }
    persist();
    for (const e of decided) {
      if (e.type === 'SeatsHeld' && !e.meta.replay) {
        holds.push(e);
        const def = live.definition!;
        assert.ok((live.buyerTickets.get(e.meta.buyerId) ?? 0) <= def.maxTicketsPerBuyer, 'per-buyer limit');
        if (e.ga) {
          const { places } = recount(live);
          const section = def.venue.sections.find((s) => s.id === e.ga!.sectionId)!;
          const p = places.get(section.id)!;
          assert.ok(p.held + p.sold <= section.capacity!, 'general admission never oversold');
        }
      }
      if (e.type === 'BookingConfirmed' && !e.meta.replay)
        bookings.push({ bookingId: e.bookingId, buyerId: e.meta.buyerId });
    }
    return decided;
  };
  const request = (cmd: ReservationCommand) => {
    const decided = send(cmd);
    assert.equal(decided.length, 1, 'one decision per client command');
    issued.push({ cmd, decision: decided[0]! });
  };
  const o = () => ({ requestId: `p-${++seq}`, at: now });

  send({ type: 'ApplyCatalog', definition: definition() });
  for (const s of steps) {
    switch (s.kind) {
      case 'seats':
        request(holdSeats(buyers[s.buyer]!, s.seats, o()));
        break;
      case 'best':
        request(
          holdBest(
            buyers[s.buyer]!,
            s.quantity,
            { sectionId: s.section ?? undefined, priceCategoryId: s.category ?? undefined },
            o(),
          ),
        );
        break;
      case 'ga':
        request(holdGa(buyers[s.buyer]!, 'GA', s.quantity, o()));
        break;
      case 'release':
      case 'confirm': {
        const h = holds[s.pick % Math.max(1, holds.length)];
        const who = s.owner && h ? h.meta.buyerId : buyers[s.pick % buyers.length]!;
        const holdId = h?.holdId ?? 'H-none';
        request(s.kind === 'release' ? release(who, holdId, o()) : confirm(who, holdId, `psp-${seq}`, o()));
        break;
      }
      case 'cancel': {
        const b = bookings[s.pick % Math.max(1, bookings.length)];
        const who = s.owner && b ? b.buyerId : buyers[s.pick % buyers.length]!;
        request(cancel(who, b?.bookingId ?? 'B-none', { ...o(), byOperator: s.byOperator }));
        break;
      }
      case 'expire': {
        const before = { holds: live.holds.size };
        const decided = send({ ...expire(now), requestId: `expire-${++seq}` });
        const expired = decided.filter((e) => e.type === 'HoldExpired').length;
        assert.equal(live.holds.size, before.holds - expired);
        for (const h of live.holds.values()) assert.ok(h.expiresAt > now, 'no hold outlives its expiry');
        forgetBefore = Math.max(forgetBefore, now - DECISION_RETENTION_MS);
        break;
      }
      case 'tick':
        now += s.ms;
        break;
      case 'retry': {
        const earlier = issued[s.pick % Math.max(1, issued.length)];
        if (!earlier) break;
        const retry = { ...earlier.cmd, issuedAt: now };
        const versionBefore = live.version;
        const decided = send(retry);
        if (earlier.cmd.issuedAt >= forgetBefore) {
          assert.deepStrictEqual(decided, [
            { ...earlier.decision, meta: { ...(earlier.decision as SeatsHeld).meta, replay: true } },
          ]);
          assert.equal(live.version, versionBefore, 'a replay changes nothing');
        }
        break;
      }
      case 'catalog':
        send({ type: 'ApplyCatalog', definition: revision(s.variant, ++version) });
        break;
      case 'reload': {
        const reloaded = loadInventory(EVENT, store);
        assertSameInventory(reloaded, live);
        live = reloaded;
        break;
      }
      default: {
        const _: never = s;
        throw new Error(`unknown step ${String(_)}`);
      }
    }
    checkInvariants(live);
  }
  assertSameInventory(loadInventory(EVENT, store), twin);
}

describe('seat allocation under random interleavings', () => {
  it('keeps every invariant, answers retries identically and survives reloads', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (steps) => play(steps)),
      { numRuns: 400 },
    );
  });
});
