/**
 * The on-sale's load mix (pure: a seeded random, no IO, no clock): buyers holding specific seats (their choices
 * overlap: a Zipf-like preference for the best sections and their front rows), holding best-available N, releasing
 * and confirming holds they were given; a small share of the traffic goes to a few cold events.
 *
 * `next()` gives the next operation; `settled(op, outcome)` tells the workload what was decided, so that releases and
 * confirmations name holds that were really given (a pool of live holds; with none, a best-available hold instead).
 */
import { seededRandom } from '../../processors/seat-allocation/demo-venue.js';
import type { EventDefinition, RejectionCode } from '../../processors/seat-allocation/model.js';

export type Op =
  | { kind: 'holdSeats'; eventId: string; hot: boolean; buyerId: string; seatIds: string[] }
  | { kind: 'holdBest'; eventId: string; hot: boolean; buyerId: string; quantity: number; sectionId: string | null }
  | { kind: 'release'; eventId: string; hot: boolean; buyerId: string; holdId: string }
  | { kind: 'confirm'; eventId: string; hot: boolean; buyerId: string; holdId: string };

export type OpKind = Op['kind'];

/** What a system decided (or why nothing was decided). */
export type Outcome =
  | ((
      | { status: 'held'; holdId: string; seatIds: string[] }
      | { status: 'released' }
      | { status: 'confirmed' }
      | { status: 'rejected'; code: RejectionCode | string }
    ) & {
      /** When the decision was made (epoch ms, the allocator's clock), when the system says. */
      decidedAt?: number;
    })
  /** No decision: a transport failure, an HTTP 202 (decision not in time), a timeout. */
  | { status: 'failed'; reason: string; decidedAt?: undefined };

export const isHold = (op: Op): boolean => op.kind === 'holdSeats' || op.kind === 'holdBest';

export interface Mix {
  /** Shares of the hot event's operations (they need not add up to 1: they are weights). */
  holdSeats: number;
  holdBest: number;
  release: number;
  confirm: number;
  /** Share of all operations that go to the cold events (best-available holds of 2). */
  cold: number;
}

export const defaultMix: Mix = { holdSeats: 0.45, holdBest: 0.3, release: 0.12, confirm: 0.13, cold: 0.04 };

/** A row's seats as ids, with the row's rank (0 = front). */
interface RowSeats {
  seatIds: string[];
}

interface RankedSection {
  id: string;
  rows: RowSeats[];
  rowWeights: Float64Array;
}

/** Cumulative weights 1/(rank+1)^s: a Zipf-like preference for low ranks. */
function zipfCumulative(n: number, s: number): Float64Array {
  const c = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / Math.pow(i + 1, s);
    c[i] = total;
  }
  for (let i = 0; i < n; i++) c[i]! /= total;
  return c;
}

function pickCumulative(c: Float64Array, u: number): number {
  let lo = 0;
  let hi = c.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (c[mid]! < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Seated sections ranked best first (the distance of their front row's middle to the venue's focus). */
export function rankedSections(def: EventDefinition): { id: string; rows: string[][] }[] {
  const { focus } = def.venue;
  return def.venue.sections
    .filter((s) => s.kind === 'seated' && s.rows.length > 0)
    .map((s) => {
      const run = s.rows[0]!.runs[0]!;
      const mid = (run.count - 1) / 2;
      const distance = Math.hypot(run.x + mid * run.dx - focus.x, run.y + mid * run.dy - focus.y);
      const rows = s.rows.map((r) =>
        r.runs.flatMap((run) =>
          Array.from({ length: run.count }, (_, k) => `${s.id}-${r.id}-${run.firstNumber + k * run.numberStep}`),
        ),
      );
      return { id: s.id, rows, distance };
    })
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
    .map(({ id, rows }) => ({ id, rows }));
}

interface LiveHold {
  eventId: string;
  hot: boolean;
  buyerId: string;
  holdId: string;
}

export class OnsaleWorkload {
  private readonly random: () => number;
  private readonly sections: RankedSection[];
  private readonly sectionWeights: Float64Array;
  private readonly live: LiveHold[] = [];
  private readonly kinds: { kind: 'holdSeats' | 'holdBest' | 'release' | 'confirm'; upTo: number }[];

  constructor(
    private readonly hot: EventDefinition,
    private readonly cold: readonly EventDefinition[],
    private readonly buyers: readonly string[],
    seed: number,
    private readonly mix: Mix = defaultMix,
  ) {
    this.random = seededRandom(seed);
    this.sections = rankedSections(hot).map((s) => ({
      id: s.id,
      rows: s.rows.map((seatIds) => ({ seatIds })),
      rowWeights: zipfCumulative(s.rows.length, 0.8),
    }));
    this.sectionWeights = zipfCumulative(this.sections.length, 1.1);
    const total = mix.holdSeats + mix.holdBest + mix.release + mix.confirm;
    let upTo = 0;
    this.kinds = (['holdSeats', 'holdBest', 'release', 'confirm'] as const).map((kind) => ({
      kind,
      upTo: (upTo += mix[kind] / total),
    }));
  }

  /** Holds given and neither released nor confirmed yet (by this workload). */
  get liveHolds(): number {
    return this.live.length;
  }

  next(): Op {
    const buyerId = this.buyers[Math.floor(this.random() * this.buyers.length)]!;
    if (this.cold.length > 0 && this.random() < this.mix.cold) {
      const event = this.cold[Math.floor(this.random() * this.cold.length)]!;
      return { kind: 'holdBest', eventId: event.eventId, hot: false, buyerId, quantity: 2, sectionId: null };
    }
    const u = this.random();
    const kind = this.kinds.find((k) => u <= k.upTo)?.kind ?? 'holdBest';
    const eventId = this.hot.eventId;
    if ((kind === 'release' || kind === 'confirm') && this.live.length > 0) {
      const i = Math.floor(this.random() * this.live.length);
      const h = this.live[i]!;
      this.live[i] = this.live[this.live.length - 1]!;
      this.live.pop();
      return { kind, eventId: h.eventId, hot: h.hot, buyerId: h.buyerId, holdId: h.holdId };
    }
    if (kind === 'holdSeats') {
      const section = this.sections[pickCumulative(this.sectionWeights, this.random())]!;
      const row = section.rows[pickCumulative(section.rowWeights, this.random())]!;
      const q = Math.min(row.seatIds.length, 1 + Math.floor(this.random() * 3));
      const first = Math.floor(this.random() * (row.seatIds.length - q + 1));
      return { kind, eventId, hot: true, buyerId, seatIds: row.seatIds.slice(first, first + q) };
    }
    const sectionId =
      this.random() < 0.5 ? this.sections[pickCumulative(this.sectionWeights, this.random())]!.id : null;
    return { kind: 'holdBest', eventId, hot: true, buyerId, quantity: 1 + Math.floor(this.random() * 4), sectionId };
  }

  settled(op: Op, outcome: Outcome): void {
    if (outcome.status === 'held')
      this.live.push({ eventId: op.eventId, hot: op.hot, buyerId: op.buyerId, holdId: outcome.holdId });
  }
}
