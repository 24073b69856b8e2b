/**
 * The seat allocator on the stream runtime: one instance per task (input partition), reading the
 * partition's catalog records and commands, deciding with the pure decider (decider.ts), persisting
 * the facts in the task's `inventory` store and publishing decisions and availability snapshots —
 * all inside the task's transactions, so exactly once.
 *
 *   catalog.events.v1       ─┐                     ┌─> reservation.events.v1   (decisions, key eventId)
 *                            ├─> SeatAllocator ─────┼─> event.availability.v1   (snapshots, key eventId)
 *   reservation.commands.v1 ─┘   stores: inventory, └─> <source>.dlq            (refused records)
 *                                        availability
 *
 * Inventories live in memory between records (eventCache.ts explains how they stay in step with
 * the store across rollbacks). Two wall-clock punctuators: availability snapshots of changed events
 * (at most every AVAILABILITY_INTERVAL_MS each), and hold expiry (`ExpireHolds` decided in place for
 * each event in memory with an expired hold or decisions past the idempotency window, and for
 * dormant events whose time has come).
 */
import { randomUUID } from 'node:crypto';
import { SpanKind, type Context } from '@opentelemetry/api';
import type { Logger } from '../../infra/log.js';
import { extractTraceContext, injectTraceHeaders } from '../../infra/telemetry/kafka-headers.js';
import { withSpan } from '../../infra/telemetry/tracing.js';
import type { CatalogEvent } from '../../schemas/generated/catalog-event.js';
import type { ReservationCommand as AvroCommand } from '../../schemas/generated/reservation-command.js';
import { topics } from '../../topics/catalog.js';
import {
  dlqHeaders,
  type Headers,
  type Processor,
  type ProcessorContext,
  type StreamRecord,
} from '../runtime/index.js';
import { availabilityDue, availabilityOf } from './availability.js';
import { availabilityView, type AvailabilityView } from './availabilityView.js';
import { availabilityToAvro, commandFromAvro, decisionToAvro, definitionFromAvro } from './codec.js';
import { DECISION_RETENTION_MS, decide, evolve } from './decider.js';
import { EventCache, type CachedEvent } from './eventCache.js';
import { ORIGIN_HEADER, REPLY_TO_HEADER } from './headers.js';
import { EventInventory } from './inventory.js';
import type { SeatCommand, ExpireHolds, ReservationDecision } from './model.js';
import { isPublished } from './model.js';
import type { SeatAllocationMetrics } from './metrics.js';
import { drainWrites } from './storeLayout.js';

/// Names the topology and the processor share

export const INVENTORY_STORE = 'inventory';
/** The last snapshot published per event (key eventId): what interactive reads answer. */
export const AVAILABILITY_STORE = 'availability';
export const sinks = {
  decisions: 'decisions',
  availability: 'availability-snapshots',
  catalogDlq: 'catalog-dead-letters',
  commandsDlq: 'command-dead-letters',
} as const;

export { ORIGIN_HEADER, TRACEPARENT_HEADER } from './headers.js';

/** A source value with the bytes it was decoded from, so that a refused record reaches its DLQ unchanged. */
export interface Received<T> {
  readonly bytes: Buffer;
  readonly value: T;
}

/** Why the allocator itself dead-letters a record (the runtime adds its own codes for undecodable ones). */
export type AllocatorDeadLetterCode =
  /** The catalog revision is inconsistent (CatalogRejected): the problems are in the message header. */
  | 'SS_ERR_SEAT_CATALOG_REJECTED'
  /** The record key is not the eventId of its value: it may sit in another event's partition. */
  | 'SS_ERR_SEAT_KEY_MISMATCH'
  /** A command without value (commands are never deleted). */
  | 'SS_ERR_SEAT_NO_VALUE';

export interface SeatAllocatorOptions {
  /** Hold-expiry sweep interval (default 1000 ms). */
  expiryIntervalMs?: number;
  /** How often changed events are checked for a due snapshot (default 100 ms). */
  availabilityCheckMs?: number;
  /** Event inventories kept in memory per task (default 100). */
  maxCachedEvents?: number;
  /** Dormant events loaded per expiry sweep (default 16), so a task start does not load them all at once. */
  dormantPerSweep?: number;
  metrics?: SeatAllocationMetrics;
  log?: Logger;
}

type Incoming = StreamRecord<string | null, Received<CatalogEvent | AvroCommand> | null>;

const headerText = (headers: Headers, name: string): string | null => {
  const v = headers[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return last === undefined ? null : last.toString();
};

/** Whether the ExpireHolds punctuation has work for this inventory at `now`. */
const needsSweep = (inv: EventInventory, now: number): boolean => {
  for (const h of inv.holds.values()) if (h.expiresAt <= now) return true;
  const oldest = inv.decisions.values().next();
  return !oldest.done && oldest.value.at < now - DECISION_RETENTION_MS;
};

export class SeatAllocator implements Processor<string | null, Received<CatalogEvent | AvroCommand> | null> {
  private ctx!: ProcessorContext;
  private cache!: EventCache;
  private origin = '';
  private readonly o: Required<Omit<SeatAllocatorOptions, 'metrics' | 'log'>> & SeatAllocatorOptions;

  constructor(options: SeatAllocatorOptions = {}) {
    this.o = {
      expiryIntervalMs: 1000,
      availabilityCheckMs: 100,
      maxCachedEvents: 100,
      dormantPerSweep: 16,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    };
  }

  async init(context: ProcessorContext): Promise<void> {
    this.ctx = context;
    this.origin = `${context.applicationId}/${context.taskId}`;
    this.cache = new EventCache(
      context.store<string, Buffer>(INVENTORY_STORE),
      context.store<string, AvailabilityView>(AVAILABILITY_STORE),
      this.o.maxCachedEvents,
      (reason, eventId) => {
        this.o.metrics?.inventoryLoads.inc({ reason });
        if (reason === 'stale')
          this.o.log?.info({ eventId, taskId: context.taskId }, 'inventory reloaded after a rollback');
      },
    );
    const known = await this.cache.discover();
    if (known > 0) this.o.log?.info({ taskId: context.taskId, events: known }, 'events found in the store');
    context.schedule(this.o.availabilityCheckMs, 'wall-clock', (now) => this.publishSnapshots(now));
    context.schedule(this.o.expiryIntervalMs, 'wall-clock', (now) => this.expireHolds(now));
  }

  async process(record: Incoming): Promise<void> {
    if (this.ctx.topic === topics.catalogEvents.name)
      return this.onCatalog(record as StreamRecord<string | null, Received<CatalogEvent> | null>);
    return this.onCommand(record as StreamRecord<string | null, Received<AvroCommand> | null>);
  }

  /// Inputs

  private async onCatalog(record: StreamRecord<string | null, Received<CatalogEvent> | null>): Promise<void> {
    if (record.value === null) {
      if (record.key !== null) await this.deleteEvent(record.key);
      return;
    }
    const definition = definitionFromAvro(record.value.value);
    if (record.key !== definition.eventId)
      return this.deadLetter(record, 'SS_ERR_SEAT_KEY_MISMATCH', `key ${record.key} but eventId ${definition.eventId}`);
    await this.run(definition.eventId, { type: 'ApplyCatalog', definition }, record);
  }

  private async onCommand(record: StreamRecord<string | null, Received<AvroCommand> | null>): Promise<void> {
    if (record.value === null) return this.deadLetter(record, 'SS_ERR_SEAT_NO_VALUE', 'a command record without value');
    const command = commandFromAvro(record.value.value);
    if (record.key !== command.eventId)
      return this.deadLetter(record, 'SS_ERR_SEAT_KEY_MISMATCH', `key ${record.key} but eventId ${command.eventId}`);
    const replyTo = headerText(record.headers, REPLY_TO_HEADER);
    // A span per decided command, child of the command's trace context (its headers, else its traceparent field);
    // the decisions carry the span's context.
    await withSpan(
      'seat-allocation decide',
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': topics.reservationCommands.name,
          'seatstream.command': command.type,
          'seatstream.request_id': command.requestId,
        },
      },
      extractTraceContext(record.headers, command.traceparent),
      (_span, trace) => this.run(command.eventId, command, record, trace, replyTo),
    );
  }

  /** A catalog tombstone deletes the event: its state goes, and its snapshot is tombstoned too. */
  private async deleteEvent(eventId: string): Promise<void> {
    const removed = await this.cache.purge(eventId);
    if (removed === 0) return;
    await this.ctx.forward(
      { key: eventId, value: null, timestamp: Date.now(), headers: { [ORIGIN_HEADER]: this.origin } },
      sinks.availability,
    );
    this.o.log?.info({ eventId, removed }, 'event deleted by a catalog tombstone');
  }

  /// Deciding

  /**
   * decide → evolve → persist → publish. A throw anywhere drops the inventory from memory (it may be
   * half-mutated); the runtime rolls the record's writes and outputs back and retries it.
   */
  private async run(
    eventId: string,
    command: SeatCommand,
    record: StreamRecord<string | null, Received<unknown> | null> | null,
    trace: Context | null = null,
    replyTo: string | null = null,
  ): Promise<void> {
    try {
      const entry = await this.cache.get(eventId);
      const events = decide(command, entry.inventory);
      for (const e of events) evolve(entry.inventory, e);
      await this.cache.save(entry, drainWrites(entry.inventory));
      const headers: Record<string, string> = { [ORIGIN_HEADER]: this.origin };
      if (trace) injectTraceHeaders(trace, headers);
      if (replyTo) headers[REPLY_TO_HEADER] = replyTo;
      for (const e of events) {
        if (isPublished(e)) await this.publish(eventId, e, headers);
        else if (e.type === 'CatalogRejected' && record)
          await this.deadLetter(
            record,
            'SS_ERR_SEAT_CATALOG_REJECTED',
            `catalog version ${e.version}: ${e.problems.join('; ')}`,
          );
      }
    } catch (err) {
      this.cache.drop(eventId);
      throw err;
    }
  }

  private async publish(eventId: string, d: ReservationDecision, headers: Headers): Promise<void> {
    await this.ctx.forward({ key: eventId, value: decisionToAvro(d), timestamp: Date.now(), headers }, sinks.decisions);
    this.o.metrics?.decisions.inc({
      decision: d.type,
      code: d.type === 'HoldRejected' || d.type === 'CommandRejected' ? d.code : '',
      replay: String(d.meta.replay),
    });
  }

  private async deadLetter(
    record: StreamRecord<string | null, Received<unknown> | null>,
    code: AllocatorDeadLetterCode,
    message: string,
  ): Promise<void> {
    const source = this.ctx.recordMetadata!;
    const sink = source.topic === topics.catalogEvents.name ? sinks.catalogDlq : sinks.commandsDlq;
    await this.ctx.forward(
      {
        key: record.key,
        value: record.value,
        timestamp: record.timestamp,
        headers: {
          ...record.headers,
          [dlqHeaders.code]: code,
          [dlqHeaders.message]: message.slice(0, 2000),
          [dlqHeaders.exception]: 'SeatAllocator',
          [dlqHeaders.attempts]: '1',
          [dlqHeaders.topic]: source.topic,
          [dlqHeaders.partition]: String(source.partition),
          [dlqHeaders.offset]: String(source.offset),
          [dlqHeaders.timestamp]: String(record.timestamp),
        },
      },
      sink,
    );
    this.o.metrics?.deadLetters.inc({ code });
    this.o.log?.warn(
      { code, topic: source.topic, partition: source.partition, offset: source.offset, message },
      'record sent to the dead-letter topic',
    );
  }

  /// Punctuators

  /** Publishes a snapshot of every event in memory whose availability changed (throttled per event). */
  private async publishSnapshots(now: number): Promise<void> {
    for (const eventId of this.cache.eventIds()) {
      const entry = await this.cache.get(eventId);
      if (!availabilityDue(entry.inventory, entry.published ?? undefined, now)) continue;
      await this.publishSnapshot(entry, now);
    }
  }

  private async publishSnapshot(entry: CachedEvent, now: number): Promise<void> {
    const snapshot = availabilityOf(entry.inventory);
    if (!snapshot) return;
    await this.ctx.forward(
      {
        key: entry.eventId,
        value: availabilityToAvro(snapshot),
        timestamp: now,
        headers: { [ORIGIN_HEADER]: this.origin },
      },
      sinks.availability,
    );
    await this.cache.published(entry, availabilityView(snapshot), now);
    this.o.metrics?.snapshots.inc();
  }

  /** Decides ExpireHolds for the events that need it: in memory, or dormant and due. */
  private async expireHolds(now: number): Promise<void> {
    const dormant = this.cache.dueDormant(now, this.o.dormantPerSweep);
    for (const eventId of [...this.cache.eventIds(), ...dormant]) {
      const entry = await this.cache.get(eventId);
      if (!entry.inventory.definition || !needsSweep(entry.inventory, now)) continue;
      const command: ExpireHolds = {
        type: 'ExpireHolds',
        requestId: `expire-${randomUUID()}`,
        eventId,
        buyerId: 'system',
        issuedAt: now,
        channel: 'system',
        partnerId: null,
        traceparent: null,
        now,
      };
      await this.run(eventId, command, null);
    }
  }
}
