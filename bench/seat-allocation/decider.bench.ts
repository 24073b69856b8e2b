/**
 * Micro-benchmark of the pure seat-allocation decider on a 50,000-seat venue (no Kafka, no RocksDB):
 * decisions per second of decide + evolve + drainWrites for an on-sale mix, and the cost of building
 * the seat map, taking an availability snapshot and reloading an inventory from its store records.
 *
 *   node --expose-gc --import tsx bench/seat-allocation/decider.bench.ts [--seconds 3]
 *
 * (--expose-gc makes the inventory's heap figure meaningful; without it the figure includes garbage.)
 *
 * Prints a table and writes bench/results/seat-allocation-decider.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../infra/config.js';
import { availabilityOf } from '../../processors/seat-allocation/availability.js';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import { EventInventory, emptyInventory } from '../../processors/seat-allocation/inventory.js';
import { EventDefinition, ReservationCommand, SectionDef } from '../../processors/seat-allocation/model.js';
import { allWrites, drainWrites, loadInventory } from '../../processors/seat-allocation/storeLayout.js';

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3;
const T0 = Date.UTC(2025, 10, 1, 10);

/** 40 sections in a ring around the pitch, 25 rows each, 50 seats per row in two runs of 25: 50,000 seats. */
function stadium(): EventDefinition {
  const sections: SectionDef[] = Array.from({ length: 40 }, (_, s) => {
    const angle = (2 * Math.PI * s) / 40;
    return {
      id: `S${s + 1}`,
      name: `Block ${s + 1}`,
      kind: 'seated',
      capacity: null,
      priceCategoryId: null,
      rows: Array.from({ length: 25 }, (_, r) => {
        const radius = 300 + r * 8;
        const x = Math.cos(angle) * radius;
        const y = Math.sin(angle) * radius;
        const dx = -Math.sin(angle) * 4;
        const dy = Math.cos(angle) * 4;
        const category = r < 5 ? 'CAT1' : r < 15 ? 'CAT2' : 'CAT3';
        return {
          id: String(r + 1),
          label: String(r + 1),
          runs: [
            { firstNumber: 1, count: 25, numberStep: 1, x, y, dx, dy, priceCategoryId: category },
            {
              firstNumber: 26,
              count: 25,
              numberStep: 1,
              x: x + dx * 27,
              y: y + dy * 27,
              dx,
              dy,
              priceCategoryId: category,
            },
          ],
        };
      }),
    };
  });
  sections.push({
    id: 'PITCH',
    name: 'Pitch',
    kind: 'generalAdmission',
    capacity: 5000,
    priceCategoryId: 'GA',
    rows: [],
  });
  return {
    eventId: 'bench-event',
    organizerId: 'org',
    name: 'Stadium night',
    startsAt: null,
    venue: { id: 'stadium', name: 'Stadium', city: 'Riyadh', focus: { x: 0, y: 0 }, sections },
    currency: 'SAR',
    priceCategories: ['CAT1', 'CAT2', 'CAT3', 'GA'].map((id, i) => ({
      id,
      name: id,
      priceMinor: 40_000 - i * 10_000,
      color: null,
    })),
    onSaleAt: T0,
    offSaleAt: T0 + 30 * 86_400_000,
    maxTicketsPerBuyer: 8,
    holdDurationMs: 600_000,
    status: 'onSale',
    version: 1,
    updatedAt: T0,
  };
}

/** A deterministic pseudo-random generator (mulberry32), so runs are comparable. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const time = <T>(f: () => T): [T, number] => {
  const start = process.hrtime.bigint();
  const result = f();
  return [result, Number(process.hrtime.bigint() - start) / 1e6];
};

function onSale(def: EventDefinition, budgetMs: number) {
  const inv = emptyInventory(def.eventId);
  for (const e of decide({ type: 'ApplyCatalog', definition: def }, inv)) evolve(inv, e);
  drainWrites(inv);
  const next = random(42);
  const held: { holdId: string; buyerId: string }[] = [];
  const counts: Record<string, number> = {};
  let n = 0;
  let writes = 0;
  let now = T0 + 1000;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(budgetMs) * 1_000_000n;
  const phases: { afterDecisions: number; takenPercent: number; decisionsPerSecond: number }[] = [];
  while (process.hrtime.bigint() < deadline) {
    const phaseStart = process.hrtime.bigint();
    for (let k = 0; k < 1000; k++) {
      now += 1;
      const buyerId = `buyer-${Math.floor(next() * 200_000)}`;
      const base = {
        requestId: `r-${n}`,
        eventId: def.eventId,
        buyerId,
        issuedAt: now,
        channel: 'web',
        partnerId: null,
        traceparent: null,
      };
      const dice = next();
      let cmd: ReservationCommand;
      if (dice < 0.55)
        cmd = {
          ...base,
          type: 'HoldBestAvailable',
          quantity: 1 + Math.floor(next() * 6),
          sectionId: next() < 0.5 ? `S${1 + Math.floor(next() * 40)}` : null,
          priceCategoryId: null,
        };
      else if (dice < 0.7) {
        const s = 1 + Math.floor(next() * 40);
        const r = 1 + Math.floor(next() * 25);
        const first = 1 + Math.floor(next() * 47);
        cmd = { ...base, type: 'HoldSeats', seatIds: [0, 1, 2].map((i) => `S${s}-${r}-${first + i}`) };
      } else if (dice < 0.75)
        cmd = { ...base, type: 'HoldGeneralAdmission', sectionId: 'PITCH', quantity: 1 + Math.floor(next() * 4) };
      else if (held.length && dice < 0.93) {
        const h = held.splice(Math.floor(next() * held.length), 1)[0]!;
        cmd = { ...base, buyerId: h.buyerId, type: 'ConfirmBooking', holdId: h.holdId, paymentReference: `psp-${n}` };
      } else if (held.length) {
        const h = held.splice(Math.floor(next() * held.length), 1)[0]!;
        cmd = { ...base, buyerId: h.buyerId, type: 'ReleaseHold', holdId: h.holdId };
      } else cmd = { ...base, type: 'HoldBestAvailable', quantity: 2, sectionId: null, priceCategoryId: null };
      for (const e of decide(cmd, inv)) {
        evolve(inv, e);
        counts[e.type === 'HoldRejected' ? `HoldRejected:${e.code}` : e.type] =
          (counts[e.type === 'HoldRejected' ? `HoldRejected:${e.code}` : e.type] ?? 0) + 1;
        if (e.type === 'SeatsHeld') held.push({ holdId: e.holdId, buyerId: e.meta.buyerId });
      }
      writes += drainWrites(inv).length;
      n++;
    }
    const phaseMs = Number(process.hrtime.bigint() - phaseStart) / 1e6;
    const taken = availabilityOf(inv)!.totals;
    phases.push({
      afterDecisions: n,
      takenPercent: Math.round(((taken.held + taken.sold) / taken.total) * 100),
      decisionsPerSecond: Math.round((1000 / phaseMs) * 1000),
    });
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return {
    inv,
    phases,
    decisions: n,
    elapsedMs,
    perSecond: Math.round((n / elapsedMs) * 1000),
    writesPerDecision: writes / n,
    counts,
  };
}

function main(): void {
  const def = stadium();
  const seats = def.venue.sections.reduce(
    (n, s) => n + s.rows.reduce((m, r) => m + r.runs.reduce((k, run) => k + run.count, 0), 0),
    0,
  );
  const [, buildMs] = time(() => {
    const inv = emptyInventory(def.eventId);
    for (const e of decide({ type: 'ApplyCatalog', definition: def }, inv)) evolve(inv, e);
    return inv;
  });
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const sale = onSale(def, seconds * 1000);
  const inv: EventInventory = sale.inv;
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const [snapshot, snapshotMs] = time(() => availabilityOf(inv)!);
  const records = allWrites(inv);
  const storeBytes = records.reduce((n, w) => n + w.key.length + (w.value?.length ?? 0), 0);
  const [, loadMs] = time(() =>
    loadInventory(
      def.eventId,
      records.map((w) => [w.key, w.value!] as const),
    ),
  );
  const result = {
    seats,
    generalAdmissionPlaces: 5000,
    decisions: sale.decisions,
    decisionsPerSecond: sale.perSecond,
    byFillLevel: sale.phases.filter((_, i) => i % 10 === 0 || i === sale.phases.length - 1),
    microsecondsPerDecision: Number(((sale.elapsedMs * 1000) / sale.decisions).toFixed(2)),
    storeWritesPerDecision: Number(sale.writesPerDecision.toFixed(2)),
    outcome: sale.counts,
    finalTotals: snapshot.totals,
    holdsLive: inv.holds.size,
    bookings: inv.bookings.size,
    rememberedDecisions: inv.decisions.size,
    buildSeatMapMs: Number(buildMs.toFixed(1)),
    availabilitySnapshotMs: Number(snapshotMs.toFixed(2)),
    availabilitySeatStatusBytes: snapshot.sections.reduce((n, s) => n + s.seatStatus.length, 0),
    storeRecords: records.length,
    storeMegabytes: Number((storeBytes / 1e6).toFixed(1)),
    loadFromStoreMs: Number(loadMs.toFixed(1)),
    inventoryHeapMegabytes: Number(((heapAfter - heapBefore) / 1e6).toFixed(1)),
    node: process.version,
  };
  console.table(Object.fromEntries(Object.entries(result).filter(([, v]) => typeof v !== 'object')));
  console.log('outcome', sale.counts);
  console.table(result.byFillLevel);
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'seat-allocation-decider.json'), JSON.stringify(result, null, 2));
}

main();
