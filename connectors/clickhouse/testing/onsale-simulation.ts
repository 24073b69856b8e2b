/**
 * A simulated on-sale: buyers sending commands to several events, decided by the real seat-allocation decider
 * (processors/seat-allocation), so every reservation event it yields is one the platform would publish — holds
 * (seated, best available, general admission), rejections of many kinds, releases, expiries, confirmations,
 * cancellations and replays of retried requests. Deterministic for a seed. Used by the analytics tests and to
 * feed the dashboards during development.
 *
 * Time is given by the caller (`step(now)`), so the same simulation runs on a synthetic clock (tests) or on the
 * wall clock (a live demo). Each decision gets a simulated record timestamp: the command's time plus a decision
 * latency drawn from a long-tailed distribution.
 */
import { decide, evolve } from '../../../processors/seat-allocation/decider.js';
import { decisionToAvro, definitionFromAvro } from '../../../processors/seat-allocation/codec.js';
import { emptyInventory, type EventInventory } from '../../../processors/seat-allocation/inventory.js';
import {
  isPublished,
  type CommandEnvelope,
  type ReservationCommand,
} from '../../../processors/seat-allocation/model.js';
import type { CatalogEvent, PriceCategory, Section } from '../../../schemas/generated/catalog-event.js';
import type { ReservationEvent } from '../../../schemas/generated/reservation-event.js';

export interface SimulatedDecision {
  /** Kafka key: the event id. */
  key: string;
  value: ReservationEvent;
  /** Record timestamp (epoch ms): when the simulated allocator produced it. */
  timestamp: number;
}

export interface OnSaleOptions {
  seed: number;
  /** Start of the sale windows (epoch ms). */
  onSaleAt: number;
  events?: number;
  buyers?: number;
  /** Organizer of event i: organizers[i % organizers.length]. */
  organizers?: string[];
  /** Prefix of event ids (tests make them unique per run). */
  eventPrefix?: string;
  holdDurationMs?: number;
  /** Seated rows per section and seats per row (two seated sections per event, plus a general-admission area). */
  rows?: number;
  seatsPerRow?: number;
  gaCapacity?: number;
}

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface BuyerState {
  holds: Set<string>;
  bookings: Set<string>;
}

/** What a buyer does next with a hold or booking: pay (confirm), give it back, or cancel, at a later time. */
interface FollowUp {
  at: number;
  sim: EventSim;
  buyerId: string;
  make: (env: CommandEnvelope) => ReservationCommand;
}

interface EventSim {
  catalog: CatalogEvent;
  inv: EventInventory;
  buyers: Map<string, BuyerState>;
  /** Commands sent, for repeats (retries with the same request id). */
  sent: ReservationCommand[];
  lastExpiry: number;
}

export class OnSaleSimulation {
  readonly catalog: CatalogEvent[];
  private readonly sims: EventSim[];
  private readonly rnd: () => number;
  private readonly buyers: string[];
  private seq = 0;
  private followUps: FollowUp[] = [];

  constructor(private readonly o: OnSaleOptions) {
    this.rnd = prng(o.seed);
    const organizers = o.organizers ?? ['org-1', 'org-2'];
    const prefix = o.eventPrefix ?? 'evt';
    this.buyers = Array.from({ length: o.buyers ?? 200 }, (_, i) => `buyer-${i + 1}`);
    this.catalog = Array.from({ length: o.events ?? 3 }, (_, i) =>
      catalogEvent({
        eventId: `${prefix}-${i + 1}`,
        organizerId: organizers[i % organizers.length]!,
        name: `Simulated concert ${i + 1}`,
        onSaleAt: o.onSaleAt,
        holdDurationMs: o.holdDurationMs ?? 60_000,
        rows: o.rows ?? 8,
        seatsPerRow: o.seatsPerRow ?? 12,
        gaCapacity: o.gaCapacity ?? 80,
      }),
    );
    this.sims = this.catalog.map((c) => {
      const inv = emptyInventory(c.eventId);
      for (const e of decide({ type: 'ApplyCatalog', definition: definitionFromAvro(c) }, inv)) evolve(inv, e);
      return { catalog: c, inv, buyers: new Map(), sent: [], lastExpiry: o.onSaleAt };
    });
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  /** A decision latency in ms: mostly a few ms, a long tail up to about a second. */
  private latency(): number {
    const u = this.rnd();
    return Math.round(2 + -Math.log(1 - u) * (u > 0.97 ? 250 : 12));
  }

  private buyer(sim: EventSim, id: string): BuyerState {
    let b = sim.buyers.get(id);
    if (!b) sim.buyers.set(id, (b = { holds: new Set(), bookings: new Set() }));
    return b;
  }

  /** Runs one command through the decider; returns the published decisions. */
  private run(sim: EventSim, cmd: ReservationCommand, now: number): SimulatedDecision[] {
    const events = decide(cmd, sim.inv);
    const out: SimulatedDecision[] = [];
    let ts = now;
    for (const e of events) {
      evolve(sim.inv, e);
      if (!isPublished(e)) continue;
      if (!e.meta.replay) {
        const b = this.buyer(sim, e.meta.buyerId);
        switch (e.type) {
          case 'SeatsHeld': {
            b.holds.add(e.holdId);
            // Most buyers pay within a minute; some give the hold back; the others let it expire.
            const u = this.rnd();
            const holdId = e.holdId;
            if (u < 0.7) {
              this.later(now + 3_000 + Math.round(-Math.log(1 - this.rnd()) * 15_000), sim, e.meta.buyerId, (env) => ({
                ...env,
                type: 'ConfirmBooking',
                holdId,
                paymentReference: `pay-${env.requestId}`,
              }));
            } else if (u < 0.8) {
              this.later(now + 2_000 + Math.round(this.rnd() * 20_000), sim, e.meta.buyerId, (env) => ({
                ...env,
                type: 'ReleaseHold',
                holdId,
              }));
            }
            break;
          }
          case 'HoldReleased':
          case 'HoldExpired':
            b.holds.delete(e.holdId);
            break;
          case 'BookingConfirmed': {
            b.holds.delete(e.holdId);
            b.bookings.add(e.bookingId);
            const bookingId = e.bookingId;
            if (this.rnd() < 0.04) {
              this.later(now + 10_000 + Math.round(this.rnd() * 110_000), sim, e.meta.buyerId, (env) => ({
                ...env,
                type: 'CancelBooking',
                bookingId,
                reason: 'cannot attend',
                byOperator: false,
              }));
            }
            break;
          }
          case 'BookingCancelled':
            b.bookings.delete(e.bookingId);
            break;
          default:
            break;
        }
      }
      ts = Math.max(ts, now + this.latency());
      out.push({ key: sim.catalog.eventId, value: decisionToAvro(e), timestamp: ts });
    }
    return out;
  }

  private later(at: number, sim: EventSim, buyerId: string, make: FollowUp['make']): void {
    this.followUps.push({ at, sim, buyerId, make });
  }

  /**
   * One buyer command at time `now` (a payment, release or cancellation that is due, else a new command on a
   * random event), preceded by the hold expiries due on that event.
   */
  step(now: number): SimulatedDecision[] {
    let due = -1;
    for (let i = 0; i < this.followUps.length; i++) {
      if (this.followUps[i]!.at <= now && (due < 0 || this.followUps[i]!.at < this.followUps[due]!.at)) due = i;
    }
    const followUp = due >= 0 ? this.followUps.splice(due, 1)[0] : undefined;
    const sim = followUp?.sim ?? this.pick(this.sims);
    const out: SimulatedDecision[] = [];
    if (now - sim.lastExpiry >= 5_000) {
      sim.lastExpiry = now;
      out.push(...this.run(sim, { ...this.envelope(sim, 'system', now), type: 'ExpireHolds', now }, now));
    }
    const cmd = followUp ? followUp.make(this.envelope(sim, followUp.buyerId, now)) : this.nextCommand(sim, now);
    sim.sent.push(cmd);
    if (sim.sent.length > 200) sim.sent.shift();
    out.push(...this.run(sim, cmd, now));
    return out;
  }

  private envelope(sim: EventSim, buyerId: string, now: number): CommandEnvelope {
    this.seq += 1;
    return {
      requestId: `${sim.catalog.eventId}-r${this.seq}`,
      eventId: sim.catalog.eventId,
      buyerId,
      issuedAt: now,
      channel: this.rnd() < 0.7 ? 'web' : 'app',
      partnerId: null,
      traceparent: null,
    };
  }

  private nextCommand(sim: EventSim, now: number): ReservationCommand {
    const buyerId = this.pick(this.buyers);
    const b = this.buyer(sim, buyerId);
    const env = this.envelope(sim, buyerId, now);
    const r = this.rnd();
    const cats = sim.catalog.priceCategories.map((c) => c.id);
    if (r < 0.03 && sim.sent.length > 0) return { ...this.pick(sim.sent), issuedAt: now }; // a retried request
    if (r < 0.36) {
      return {
        ...env,
        type: 'HoldBestAvailable',
        quantity: 1 + Math.floor(this.rnd() * 4),
        sectionId: null,
        priceCategoryId: this.rnd() < 0.4 ? this.pick(cats.slice(0, 2)) : null,
      };
    }
    if (r < 0.46) {
      const section = this.pick(['S1', 'S2']);
      const row = 1 + Math.floor(this.rnd() * (this.o.rows ?? 8));
      const first = 1 + Math.floor(this.rnd() * ((this.o.seatsPerRow ?? 12) - 1));
      const n = 1 + Math.floor(this.rnd() * 2);
      return {
        ...env,
        type: 'HoldSeats',
        seatIds: Array.from({ length: n }, (_, k) => `${section}-${row}-${first + k}`),
      };
    }
    if (r < 0.54)
      return { ...env, type: 'HoldGeneralAdmission', sectionId: 'GA', quantity: 1 + Math.floor(this.rnd() * 4) };
    if (r < 0.56) return { ...env, type: 'HoldGeneralAdmission', sectionId: 'GA', quantity: 0 }; // invalid
    if (r < 0.58) return { ...env, type: 'HoldBestAvailable', quantity: 2, sectionId: 'NOPE', priceCategoryId: null };
    const holds = [...b.holds];
    if (r < 0.82) {
      if (holds.length > 0)
        return { ...env, type: 'ConfirmBooking', holdId: this.pick(holds), paymentReference: `pay-${this.seq}` };
      return {
        ...env,
        type: 'ConfirmBooking',
        holdId: `H-${sim.catalog.eventId}-missing-${this.seq}`,
        paymentReference: `pay-${this.seq}`,
      };
    }
    if (r < 0.88 && holds.length > 0) return { ...env, type: 'ReleaseHold', holdId: this.pick(holds) };
    if (r < 0.9) {
      // someone else's hold
      const other = [...sim.buyers.entries()].find(([id, s]) => id !== buyerId && s.holds.size > 0);
      if (other)
        return { ...env, type: 'ConfirmBooking', holdId: [...other[1].holds][0]!, paymentReference: `pay-${this.seq}` };
    }
    const bookings = [...b.bookings];
    if (r < 0.93 && bookings.length > 0) {
      return {
        ...env,
        type: 'CancelBooking',
        bookingId: this.pick(bookings),
        reason: this.rnd() < 0.5 ? 'changed plans' : null,
        byOperator: false,
      };
    }
    if (r < 0.94)
      return { ...env, type: 'CancelBooking', bookingId: `B-missing-${this.seq}`, reason: null, byOperator: false };
    return {
      ...env,
      type: 'HoldBestAvailable',
      quantity: 1 + Math.floor(this.rnd() * 2),
      sectionId: 'S2',
      priceCategoryId: null,
    };
  }

  /**
   * Runs `commands` commands on a synthetic clock from `start`, `meanGapMs` apart on average; the decisions in
   * the order the allocator would publish them per event.
   */
  simulate(commands: number, start: number, meanGapMs = 40): SimulatedDecision[] {
    const out: SimulatedDecision[] = [];
    let now = start;
    for (let i = 0; i < commands; i++) {
      now += Math.max(1, Math.round(-Math.log(1 - this.rnd()) * meanGapMs));
      out.push(...this.step(now));
    }
    return out;
  }
}

interface CatalogShape {
  eventId: string;
  organizerId: string;
  name: string;
  onSaleAt: number;
  holdDurationMs: number;
  rows: number;
  seatsPerRow: number;
  gaCapacity: number;
}

/** A catalog definition: two seated sections (VIP front rows, CAT1, CAT2) and a general-admission pit. */
export function catalogEvent(s: CatalogShape): CatalogEvent {
  const priceCategories: PriceCategory[] = [
    { id: 'VIP', name: 'VIP', priceMinor: 95_000, color: null },
    { id: 'CAT1', name: 'Category 1', priceMinor: 45_000, color: null },
    { id: 'CAT2', name: 'Category 2', priceMinor: 25_000, color: null },
    { id: 'PIT', name: 'Standing pit', priceMinor: 30_000, color: null },
  ];
  const seated = (id: string, x0: number, frontCategory: string, backCategory: string): Section => ({
    id,
    name: `Section ${id}`,
    kind: 'SEATED',
    capacity: null,
    priceCategoryId: null,
    rows: Array.from({ length: s.rows }, (_, i) => ({
      id: String(i + 1),
      label: String.fromCharCode(65 + (i % 26)),
      runs: [
        {
          firstNumber: 1,
          count: s.seatsPerRow,
          numberStep: 1,
          x: x0,
          y: 10 * (i + 1),
          dx: 10,
          dy: 0,
          priceCategoryId: i < 2 ? frontCategory : backCategory,
        },
      ],
    })),
  });
  return {
    eventId: s.eventId,
    organizerId: s.organizerId,
    name: s.name,
    startsAt: { long: s.onSaleAt + 30 * 24 * 3_600_000 },
    venue: {
      id: 'sim-arena',
      name: 'Simulation Arena',
      city: { string: 'Riyadh' },
      focus: { x: 60, y: 0 },
      sections: [
        seated('S1', 0, 'VIP', 'CAT1'),
        seated('S2', 200, 'CAT1', 'CAT2'),
        {
          id: 'GA',
          name: 'Pit',
          kind: 'GENERAL_ADMISSION',
          capacity: { int: s.gaCapacity },
          priceCategoryId: { string: 'PIT' },
          rows: [],
        },
      ],
    },
    currency: 'SAR',
    priceCategories,
    onSaleAt: s.onSaleAt,
    offSaleAt: s.onSaleAt + 7 * 24 * 3_600_000,
    maxTicketsPerBuyer: 8,
    holdDurationMs: s.holdDurationMs,
    status: 'ON_SALE',
    version: 1,
    updatedAt: s.onSaleAt - 3_600_000,
  };
}
