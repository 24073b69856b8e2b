/**
 * Test support: realistic records of the sink's three topics for one event, made by the real seat-allocation decider
 * (decide → evolve on an in-memory inventory), as the processor would publish them: the catalog definition and its
 * revisions, one decision per command (holds of chosen seats, best available, general admission, releases,
 * confirmations, cancellations, expiries, rejections, and replays of repeated requests), and availability snapshots.
 * Deterministic for a given seed. Values are the Avro shapes (schemas/generated/), ready for the serde.
 */
import { availabilityOf } from '../../processors/seat-allocation/availability.js';
import { availabilityToAvro, decisionToAvro, definitionToAvro } from '../../processors/seat-allocation/codec.js';
import { decide, evolve } from '../../processors/seat-allocation/decider.js';
import { concertHall, seededRandom } from '../../processors/seat-allocation/demo-venue.js';
import { emptyInventory, type EventInventory } from '../../processors/seat-allocation/inventory.js';
import {
  isPublished,
  type CommandEnvelope,
  type EventDefinition,
  type ReservationCommand,
} from '../../processors/seat-allocation/model.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { EventAvailability } from '../../schemas/generated/event-availability.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import { topics } from '../../topics/catalog.js';

export type ScriptRecord =
  | { topic: typeof topics.catalogEvents.name; key: string; value: CatalogEvent }
  | { topic: typeof topics.reservationEvents.name; key: string; value: ReservationEvent }
  | { topic: typeof topics.eventAvailability.name; key: string; value: EventAvailability };

export interface EventScriptOptions {
  eventId: string;
  seed: number;
  /** Buyer ids to draw from. */
  buyers: string[];
  onSaleAt: number;
  name?: string;
}

export class EventScript {
  readonly inv: EventInventory;
  definition: EventDefinition;
  private readonly random: () => number;
  private clock: number;
  private seq = 0;
  private readonly past: ReservationCommand[] = [];
  private readonly snapshots: EventAvailability[] = [];

  constructor(private readonly o: EventScriptOptions) {
    this.random = seededRandom(o.seed);
    this.clock = o.onSaleAt + 1_000;
    this.definition = {
      ...concertHall({
        eventId: o.eventId,
        seed: o.seed,
        onSaleAt: o.onSaleAt,
        holdDurationMs: 120_000,
        maxTicketsPerBuyer: 10,
      }),
      organizerId: `org-${o.eventId}`,
      ...(o.name ? { name: o.name } : {}),
      updatedAt: o.onSaleAt,
    };
    this.inv = emptyInventory(o.eventId);
    this.apply(this.definition);
  }

  get eventId(): string {
    return this.o.eventId;
  }

  /** The current catalog definition. */
  catalog(): ScriptRecord {
    return { topic: topics.catalogEvents.name, key: this.eventId, value: definitionToAvro(this.definition) };
  }

  /** A new revision (renamed, prices up 10 %), applied to the inventory. */
  revise(): ScriptRecord {
    const d = this.definition;
    this.definition = {
      ...d,
      name: `${d.name} (rev ${d.version + 1})`,
      priceCategories: d.priceCategories.map((c) => ({ ...c, priceMinor: Math.round(c.priceMinor * 1.1) })),
      version: d.version + 1,
      updatedAt: this.clock,
    };
    this.apply(this.definition);
    return this.catalog();
  }

  /** A revision the allocator refuses (a run of an unknown price category); not applied. */
  inconsistentRevision(): ScriptRecord {
    const d = this.definition;
    const [first, ...rest] = d.venue.sections.filter((s) => s.kind === 'seated');
    const broken: EventDefinition = {
      ...d,
      version: d.version + 1,
      venue: {
        ...d.venue,
        sections: [
          {
            ...first!,
            rows: first!.rows.map((r, i) =>
              i === 0 ? { ...r, runs: r.runs.map((run) => ({ ...run, priceCategoryId: 'NO_SUCH_CATEGORY' })) } : r,
            ),
          },
          ...rest,
        ],
      },
    };
    return { topic: topics.catalogEvents.name, key: this.eventId, value: definitionToAvro(broken) };
  }

  /** An old revision sent again (consumers keep the newer one). */
  staleRevision(version: number): ScriptRecord {
    return {
      topic: topics.catalogEvents.name,
      key: this.eventId,
      value: { ...definitionToAvro(this.definition), version, name: `${this.definition.name} (stale)` },
    };
  }

  /** The decisions of one random command (several for an expiry sweep, none when nothing expires). */
  step(): ScriptRecord[] {
    const cmd = this.nextCommand();
    this.past.push(cmd);
    const out = decide(cmd, this.inv);
    for (const e of out) evolve(this.inv, e);
    return out
      .filter(isPublished)
      .map((d) => ({ topic: topics.reservationEvents.name, key: this.eventId, value: decisionToAvro(d) }));
  }

  /** The current availability snapshot. */
  snapshot(): ScriptRecord | null {
    const a = availabilityOf(this.inv);
    if (!a) return null;
    const value = availabilityToAvro(a);
    this.snapshots.push(value);
    return { topic: topics.eventAvailability.name, key: this.eventId, value };
  }

  /** An earlier snapshot sent again (older version: consumers must not go back to it). */
  staleSnapshot(): ScriptRecord | null {
    if (this.snapshots.length < 2) return null;
    return {
      topic: topics.eventAvailability.name,
      key: this.eventId,
      value: this.snapshots[Math.floor(this.random() * (this.snapshots.length - 1))]!,
    };
  }

  private apply(definition: EventDefinition): void {
    for (const e of decide({ type: 'ApplyCatalog', definition }, this.inv)) evolve(this.inv, e);
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length ? xs[Math.floor(this.random() * xs.length)] : undefined;
  }

  private envelope(buyerId: string): CommandEnvelope {
    this.clock += 500 + Math.floor(this.random() * 3_000);
    return {
      requestId: `req-${this.eventId}-${++this.seq}`,
      eventId: this.eventId,
      buyerId,
      issuedAt: this.clock,
      channel: 'web',
      partnerId: null,
      traceparent: null,
    };
  }

  private nextCommand(): ReservationCommand {
    const r = this.random();
    const buyer = this.pick(this.o.buyers)!;
    const holds = [...this.inv.holds.values()];
    const bookings = [...this.inv.bookings.values()];
    const map = this.inv.map!;
    if (r < 0.08 && this.past.length > 0) {
      // The same request again (a client retry): the decider answers it again, flagged replay.
      const again = this.pick(this.past.filter((c) => c.type !== 'ExpireHolds'));
      if (again) return again;
    }
    if (r < 0.3) {
      const n = 1 + Math.floor(this.random() * 3);
      const start = Math.floor(this.random() * (map.seatCount - n));
      return { ...this.envelope(buyer), type: 'HoldSeats', seatIds: map.seatIds.slice(start, start + n) };
    }
    if (r < 0.42)
      return {
        ...this.envelope(buyer),
        type: 'HoldBestAvailable',
        quantity: 1 + Math.floor(this.random() * 4),
        sectionId: null,
        priceCategoryId: null,
      };
    if (r < 0.5)
      return {
        ...this.envelope(buyer),
        type: 'HoldGeneralAdmission',
        sectionId: 'PIT',
        quantity: 1 + Math.floor(this.random() * 3),
      };
    const hold = this.pick(holds);
    if (r < 0.6 && hold)
      return { ...this.envelope(this.random() < 0.9 ? hold.buyerId : buyer), type: 'ReleaseHold', holdId: hold.holdId };
    if (r < 0.82 && hold)
      return {
        ...this.envelope(hold.buyerId),
        type: 'ConfirmBooking',
        holdId: hold.holdId,
        paymentReference: `pay-${this.seq}`,
      };
    const booking = this.pick(bookings);
    if (r < 0.9 && booking)
      return {
        ...this.envelope(booking.buyerId),
        type: 'CancelBooking',
        bookingId: booking.bookingId,
        reason: 'changed plans',
        byOperator: false,
      };
    if (r < 0.95) {
      this.clock += this.definition.holdDurationMs;
      const env = this.envelope('system');
      return { ...env, type: 'ExpireHolds', now: env.issuedAt };
    }
    return { ...this.envelope(buyer), type: 'ReleaseHold', holdId: `H-req-unknown-${this.seq}` };
  }
}
