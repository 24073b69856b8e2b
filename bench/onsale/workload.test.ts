import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concertHall, stadium } from '../../processors/seat-allocation/demo-venue.js';
import { OnsaleWorkload, rankedSections, type Op } from './workload.js';

const hot = stadium({ eventId: 'hot', onSaleAt: 0 });
const cold = [concertHall({ eventId: 'cold', onSaleAt: 0 })];
const buyers = Array.from({ length: 50 }, (_, i) => `buyer-${i}`);
const seatIds = new Set(rankedSections(hot).flatMap((s) => s.rows.flat()));

const ops = (seed: number, n: number, give = true): Op[] => {
  const w = new OnsaleWorkload(hot, cold, buyers, seed);
  let held = 0;
  return Array.from({ length: n }, () => {
    const op = w.next();
    if (give && (op.kind === 'holdSeats' || op.kind === 'holdBest'))
      w.settled(op, { status: 'held', holdId: `H-${held++}`, seatIds: [] });
    return op;
  });
};

describe('on-sale workload', () => {
  it('is the same for the same seed', () => {
    assert.deepEqual(ops(7, 500), ops(7, 500));
    assert.notDeepEqual(ops(7, 500), ops(8, 500));
  });

  it('holds adjacent seats of the venue, one to three, in one row', () => {
    for (const op of ops(1, 2_000).filter((o) => o.kind === 'holdSeats')) {
      assert.ok(op.seatIds.length >= 1 && op.seatIds.length <= 3);
      for (const id of op.seatIds) assert.ok(seatIds.has(id), id);
      const [section, row] = op.seatIds[0]!.split('-');
      const numbers = op.seatIds.map((id) => {
        const [s, r, n] = id.split('-');
        assert.equal(`${s}-${r}`, `${section}-${row}`);
        return Number(n);
      });
      numbers.forEach((n, i) => i === 0 || assert.equal(n, numbers[i - 1]! + 1));
    }
  });

  it('prefers the best sections, so choices overlap', () => {
    const ranked = rankedSections(hot).map((s) => s.id);
    const count = new Map<string, number>();
    for (const op of ops(3, 5_000).filter((o) => o.kind === 'holdSeats'))
      count.set(op.seatIds[0]!.split('-')[0]!, (count.get(op.seatIds[0]!.split('-')[0]!) ?? 0) + 1);
    const best = count.get(ranked[0]!) ?? 0;
    const worst = count.get(ranked[ranked.length - 1]!) ?? 0;
    assert.ok(best > 10 * Math.max(1, worst), `best section ${best} times, worst ${worst}`);
  });

  it('releases and confirms only holds it was given, each once, by their buyer', () => {
    const w = new OnsaleWorkload(hot, cold, buyers, 5);
    const given = new Map<string, string>();
    const finished = new Set<string>();
    for (let i = 0; i < 3_000; i++) {
      const op = w.next();
      if (op.kind === 'holdSeats' || op.kind === 'holdBest') {
        if (i % 2 === 0) {
          const holdId = `H-${i}`;
          given.set(holdId, op.buyerId);
          w.settled(op, { status: 'held', holdId, seatIds: [] });
        } else w.settled(op, { status: 'rejected', code: 'RSV_SEAT_UNAVAILABLE' });
      } else {
        assert.equal(given.get(op.holdId), op.buyerId);
        assert.ok(!finished.has(op.holdId), `${op.holdId} finished twice`);
        finished.add(op.holdId);
      }
    }
    assert.ok(finished.size > 0);
  });

  it('sends a small share of the holds to the cold events, as best-available holds of two', () => {
    const all = ops(9, 5_000);
    const toCold = all.filter((o) => o.eventId === 'cold');
    assert.ok(toCold.length > 0 && toCold.length < all.length * 0.1);
    assert.ok(toCold.every((o) => !o.hot));
    assert.ok(
      toCold
        .filter((o) => o.kind !== 'release' && o.kind !== 'confirm')
        .every((o) => o.kind === 'holdBest' && o.quantity === 2),
    );
  });
});
