/** What the on-sale bench drives: SeatStream through the topic or the API, or the PostgreSQL baseline. */
import type { EventDefinition } from '../../processors/seat-allocation/model.js';
import type { Op, Outcome } from './workload.js';

export interface OversoldCheck {
  /** Seats held or sold by more than one hold at once, found by a pass independent of the load generator. */
  oversold: number;
  /** What the pass read (decisions folded, ledger rows), and the first few violations. */
  detail: string[];
}

export interface OnsaleSystem {
  readonly name: string;
  /** Makes the events ready to take holds (returns once a hold on them would be decided). */
  prepare(events: readonly EventDefinition[]): Promise<void>;
  /** Issues one operation and resolves with its decision. */
  issue(op: Op): Promise<Outcome>;
  /** Counts oversold seats of these events (call once every operation on them has its outcome). */
  oversold(events: readonly EventDefinition[]): Promise<OversoldCheck>;
  close(): Promise<void>;
}
