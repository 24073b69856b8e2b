/**
 * SeatStream with commands straight onto reservation.commands.v1: the processor's own limit. Commands go through the
 * API's own producer (api/bookings/command-producer.ts: idempotent, acks=all, group commit), with this bench's
 * reply-to header; the decision is awaited on reservation.events.v1 (decision-listener.ts).
 */
import { randomUUID } from 'node:crypto';
import type kafkajs from 'kafkajs';
import { CommandProducer } from '../../api/bookings/command-producer.js';
import type { Logger } from '../../infra/log.js';
import type {
  CommandEnvelope,
  EventDefinition,
  ReservationCommand,
  ReservationDecision,
} from '../../processors/seat-allocation/model.js';
import { publishCatalog } from '../../processors/seat-allocation/publishDemo.js';
import type { ServiceProcess } from '../../processors/seat-allocation/testing/service-process.js';
import type { RegistryClient } from '../../schemas/registry-client.js';
import { auditDecisions, type Offsets } from './decision-audit.js';
import { DecisionListener } from './decision-listener.js';
import type { OnsaleSystem, OversoldCheck } from './system.js';
import type { Op, Outcome } from './workload.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The outcome a decision gives an operation. */
export function outcomeOf(d: ReservationDecision, decidedAt: number): Outcome {
  switch (d.type) {
    case 'SeatsHeld':
      return { status: 'held', holdId: d.holdId, seatIds: d.seats.map((s) => s.seatId), decidedAt };
    case 'HoldReleased':
      return { status: 'released', decidedAt };
    case 'BookingConfirmed':
      return { status: 'confirmed', decidedAt };
    case 'HoldRejected':
    case 'CommandRejected':
      return { status: 'rejected', code: d.code, decidedAt };
    default:
      return { status: 'failed', reason: `unexpected decision ${d.type}` };
  }
}

export interface StreamContext {
  kafka: kafkajs.Kafka;
  admin: kafkajs.Admin;
  brokers: string[];
  registry: RegistryClient;
  allocator: ServiceProcess;
  applicationId: string;
  /** reservation.events.v1's end offsets before the bench began (where the audit starts). */
  from: Offsets;
  log: Logger;
}

/** Publishes the events and waits until the allocator has each one (its availability read answers). */
export async function publishAndAwait(ctx: StreamContext, events: readonly EventDefinition[]): Promise<void> {
  await publishCatalog(events, { brokers: ctx.brokers, registry: ctx.registry });
  for (const def of events) {
    const deadline = Date.now() + 60_000;
    while ((await ctx.allocator.get(`/events/${encodeURIComponent(def.eventId)}/availability`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`the allocator did not define ${def.eventId} within 60 s`);
      await sleep(100);
    }
  }
}

export class StreamTopic implements OnsaleSystem {
  readonly name = 'SeatStream, commands on the topic';
  readonly sent = new Set<string>();
  private readonly producer: CommandProducer;
  private readonly listener: DecisionListener;

  constructor(
    private readonly ctx: StreamContext,
    readonly replyTo: string,
  ) {
    this.producer = new CommandProducer({
      kafka: () => ctx.kafka,
      registry: () => ctx.registry,
      replicaId: replyTo,
      timeoutMs: 30_000,
      log: ctx.log,
    });
    this.listener = new DecisionListener(ctx.brokers, ctx.registry, replyTo, `${ctx.applicationId}-${replyTo}`);
  }

  async start(): Promise<void> {
    await this.listener.start(this.ctx.admin);
  }

  prepare(events: readonly EventDefinition[]): Promise<void> {
    return publishAndAwait(this.ctx, events);
  }

  /** @param sent where the request id is noted (for the audit): this system's own set unless told otherwise */
  async issue(op: Op, sent: Set<string> = this.sent): Promise<Outcome> {
    const envelope: CommandEnvelope = {
      requestId: randomUUID(),
      eventId: op.eventId,
      buyerId: op.buyerId,
      issuedAt: Date.now(),
      channel: 'bench',
      partnerId: null,
      traceparent: null,
    };
    let command: ReservationCommand;
    switch (op.kind) {
      case 'holdSeats':
        command = { ...envelope, type: 'HoldSeats', seatIds: op.seatIds };
        break;
      case 'holdBest':
        command = {
          ...envelope,
          type: 'HoldBestAvailable',
          quantity: op.quantity,
          sectionId: op.sectionId,
          priceCategoryId: null,
        };
        break;
      case 'release':
        command = { ...envelope, type: 'ReleaseHold', holdId: op.holdId };
        break;
      case 'confirm':
        command = { ...envelope, type: 'ConfirmBooking', holdId: op.holdId, paymentReference: `bench-${randomUUID()}` };
        break;
    }
    return this.send(command, sent);
  }

  /** Sends a command and resolves with its decision's outcome. */
  private async send(command: ReservationCommand, sent: Set<string>): Promise<Outcome> {
    const decision = this.listener.waitFor(command.requestId, 60_000);
    decision.catch(() => undefined);
    const traceparent = `00-${randomUUID().replace(/-/g, '')}-${randomUUID().replace(/-/g, '').slice(0, 16)}-01`;
    await this.producer.send(command, traceparent);
    sent.add(command.requestId);
    const { decision: d, decidedAt } = await decision;
    return outcomeOf(d, decidedAt);
  }

  oversold(events: readonly EventDefinition[]): Promise<OversoldCheck> {
    return auditDecisions({
      brokers: this.ctx.brokers,
      admin: this.ctx.admin,
      registry: this.ctx.registry,
      applicationId: this.ctx.applicationId,
      from: this.ctx.from,
      events,
      expected: this.sent,
      timeoutMs: 60_000,
    });
  }

  async close(): Promise<void> {
    await this.producer.close();
    await this.listener.stop(this.ctx.admin);
  }
}
