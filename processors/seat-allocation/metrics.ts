/**
 * Prometheus metrics of the seat allocator (what the runtime's metrics cannot say: decisions by
 * kind and reason, inventory loads), in their own registry; the service serves them on /metrics
 * after the runtime's. One instance per process, shared by its tasks.
 */
import { Counter, Registry } from 'prom-client';

export class SeatAllocationMetrics {
  readonly registry = new Registry();
  /** Decisions published, by decision type and rejection code ('' when not a rejection); replays included. */
  readonly decisions: Counter<'decision' | 'code' | 'replay'>;
  /** Inventories read from the store: 'miss' (not in memory) or 'stale' (a rollback made memory wrong). */
  readonly inventoryLoads: Counter<'reason'>;
  /** Records the allocator sent to a dead-letter topic itself, by reason code. */
  readonly deadLetters: Counter<'code'>;
  /** Availability snapshots published. */
  readonly snapshots: Counter;

  constructor() {
    const registers = [this.registry];
    this.decisions = new Counter({
      name: 'seatstream_seat_allocation_decisions_total',
      help: 'Decisions published on reservation.events.v1, by type, rejection code and replay flag',
      labelNames: ['decision', 'code', 'replay'],
      registers,
    });
    this.inventoryLoads = new Counter({
      name: 'seatstream_seat_allocation_inventory_loads_total',
      help: "Event inventories read from the task's store: miss (not in memory) or stale (after a rollback)",
      labelNames: ['reason'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'seatstream_seat_allocation_dead_letters_total',
      help: 'Records the allocator sent to a dead-letter topic (refused catalog revisions, misrouted records)',
      labelNames: ['code'],
      registers,
    });
    this.snapshots = new Counter({
      name: 'seatstream_seat_allocation_snapshots_total',
      help: 'Availability snapshots published on event.availability.v1',
      registers,
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
