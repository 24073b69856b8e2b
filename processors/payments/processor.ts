/**
 * The payment saga on the stream runtime. One topology, two co-partitioned sources (12 partitions each):
 *
 *   reservation.events.v1 ──> DecisionRouter ──> payment.requests.v1   (the allocator's word on holds, re-keyed by holdId)
 *   payment.requests.v1   ──> PaymentSaga ─┬──> payment.results.v1    (every step of every hold's saga)
 *                             store: sagas └──> reservation.commands.v1 (ConfirmBooking, ReleaseHold, CancelBooking)
 *
 * The saga's state per hold lives in the `sagas` store (changelogged), with an index of what is due when. A
 * wall-clock punctuator runs the provider calls that are due — in parallel, each through the provider's circuit
 * breaker and under the step's idempotency key — and feeds their outcomes to the decider (saga.ts). State, steps and
 * commands of one outcome are written in the task's transaction: after a crash at any point, the store is restored
 * to the last commit, the same call is due again, and the provider answers it as before (idempotency key), so a
 * payment is authorised and captured once and every step is published once.
 */
import { ORIGIN_HEADER } from '../seat-allocation/headers.js';
import type { Logger } from '../../infra/log.js';
import type { PaymentRequest } from '../../schemas/generated/payment-request.js';
import type { ReservationEvent } from '../../schemas/generated/reservation-event.js';
import type { Processor, ProcessorContext, StreamRecord, KeyValueStore } from '../runtime/index.js';
import { commandToAvro, requestFromAvro, requestToAvro, resultToAvro, sagaInputOfDecision } from './codec.js';
import type { CallOutcome, Decision, SagaState } from './model.js';
import { asProviderError, idempotencyKeyFor, type PaymentProvider, type PaymentStep } from './provider/provider.js';
import { onDeadline, onInput, onOutcome } from './saga.js';

export const SAGA_STORE = 'sagas';
export const sinks = {
  requests: 'payment-requests',
  results: 'payment-results',
  commands: 'allocator-commands',
} as const;

const stateKey = (holdId: string) => `s/${holdId}`;
const dueKey = (at: number, holdId: string) => `d/${String(Math.max(0, at)).padStart(15, '0')}/${holdId}`;

export interface SagaOptions {
  providers: ReadonlyMap<string, PaymentProvider>;
  /** How often due provider calls are looked for (default 100 ms). */
  tickMs?: number;
  /** Most calls run at once per task per tick (default 32). */
  maxParallelCalls?: number;
  /** Test fault: after the provider answered this step successfully, print `{"event":"paused",…}` and hang. */
  pauseAfter?: PaymentStep;
  log: Logger;
  now?: () => number;
}

/** Forwards the allocator's decisions about holds to the saga, keyed by holdId. Only the trusted allocator's. */
export class DecisionRouter implements Processor<string, ReservationEvent, string, PaymentRequest> {
  private context!: ProcessorContext<string, PaymentRequest>;
  constructor(private readonly allocatorApplicationId: string) {}

  init(context: ProcessorContext<string, PaymentRequest>): void {
    this.context = context;
  }

  async process(record: StreamRecord<string, ReservationEvent>): Promise<void> {
    const origin = record.headers[ORIGIN_HEADER];
    const originText = Array.isArray(origin) ? String(origin[0]) : origin === undefined ? '' : String(origin);
    if (!originText.startsWith(`${this.allocatorApplicationId}/`)) return;
    const input = sagaInputOfDecision(record.value);
    if (!input) return;
    const traceparent = record.value.traceparent === null ? null : record.value.traceparent.string;
    await this.context.forward(sinks.requests, input.holdId, requestToAvro(input, traceparent));
  }
}

export class PaymentSaga implements Processor<string, PaymentRequest> {
  private context!: ProcessorContext;
  private store!: KeyValueStore<string, unknown>;
  private readonly now: () => number;

  constructor(private readonly options: SagaOptions) {
    this.now = options.now ?? Date.now;
  }

  init(context: ProcessorContext): void {
    this.context = context;
    this.store = context.store(SAGA_STORE);
    context.schedule(this.options.tickMs ?? 100, 'wall-clock', () => this.runDue());
  }

  async process(record: StreamRecord<string, PaymentRequest>): Promise<void> {
    const input = requestFromAvro(record.value);
    const state = (await this.store.get(stateKey(input.holdId))) as SagaState | undefined;
    await this.apply(state, onInput(state, input, this.now()), input.holdId);
  }

  /** Runs what is due: provider calls in parallel, then their outcomes one by one. */
  private async runDue(): Promise<void> {
    const now = this.now();
    const due: SagaState[] = [];
    for await (const { key } of this.store.range({ gte: 'd/', lt: dueKey(now + 1, '') })) {
      const holdId = key.slice(key.indexOf('/', 2) + 1);
      const state = (await this.store.get(stateKey(holdId))) as SagaState | undefined;
      if (!state?.due || dueKey(state.due.at, holdId) !== key) {
        await this.store.delete(key); // a stale index entry
        continue;
      }
      due.push(state);
      if (due.length >= (this.options.maxParallelCalls ?? 32)) break;
    }
    if (due.length === 0) return;
    const outcomes = await Promise.all(due.map((s) => (s.due!.step === 'holdDeadline' ? null : this.call(s))));
    for (let i = 0; i < due.length; i++) {
      const state = due[i]!;
      const outcome = outcomes[i];
      const decision: Decision = outcome ? onOutcome(state, outcome, this.now()) : onDeadline(state, this.now());
      await this.apply(state, decision, state.holdId);
    }
  }

  private async call(s: SagaState): Promise<CallOutcome> {
    const step = s.due!.step as PaymentStep;
    const provider = this.options.providers.get(s.checkout?.provider ?? '');
    if (!provider)
      return {
        step,
        ok: false,
        code: 'PAY_UNKNOWN_PROVIDER',
        retriable: false,
        message: `no provider '${s.checkout?.provider}'`,
      };
    const idempotencyKey = idempotencyKeyFor(s.holdId, step);
    try {
      let outcome: CallOutcome;
      switch (step) {
        case 'authorise': {
          const a = await provider.authorise({
            idempotencyKey,
            token: s.checkout!.token,
            amountMinor: s.hold!.totalMinor,
            currency: s.hold!.currency,
            reference: s.holdId,
          });
          outcome = { step, ok: true, ...a };
          break;
        }
        case 'capture':
          await provider.capture({ idempotencyKey, paymentId: s.paymentId!, amountMinor: s.booking!.totalMinor });
          outcome = { step, ok: true };
          break;
        case 'void':
          await provider.void({ idempotencyKey, paymentId: s.paymentId! });
          outcome = { step, ok: true };
          break;
        case 'refund': {
          const r = await provider.refund({
            idempotencyKey,
            paymentId: s.paymentId!,
            amountMinor: s.booking!.totalMinor,
          });
          outcome = { step, ok: true, ...r };
          break;
        }
      }
      if (this.options.pauseAfter === step) await this.pause(step, s.holdId);
      return outcome;
    } catch (err) {
      const e = asProviderError(err);
      this.options.log.debug({ holdId: s.holdId, step, code: e.code, err: e.message }, 'provider call failed');
      return { step, ok: false, code: e.code, retriable: e.retriable, message: e.message };
    }
  }

  private async pause(step: PaymentStep, holdId: string): Promise<never> {
    process.stdout.write(`${JSON.stringify({ event: 'paused', step, holdId, pid: process.pid })}\n`);
    return new Promise<never>(() => {});
  }

  private async apply(previous: SagaState | undefined, decision: Decision, holdId: string): Promise<void> {
    const now = this.now();
    const next = decision.state;
    if (previous?.due) await this.store.delete(dueKey(previous.due.at, holdId));
    let seq = next?.seq ?? previous?.seq ?? 0;
    const envelopeOf = (s: SagaState | null | undefined) => ({
      holdId,
      eventId: s?.eventId ?? previous?.eventId ?? '',
      buyerId: s?.buyerId ?? previous?.buyerId ?? '',
      locale: s?.checkout?.locale ?? null,
      occurredAt: now,
    });
    const envelope = envelopeOf(next ?? previous);
    for (const output of decision.outputs) {
      seq += 1;
      const value = resultToAvro({ ...envelope, checkoutId: output.checkoutId, seq }, output.result);
      await this.context.forward(sinks.results, holdId, value);
    }
    for (const command of decision.commands) {
      await this.context.forward(sinks.commands, command.eventId, commandToAvro(command, now));
    }
    if (next) {
      next.seq = seq;
      await this.store.put(stateKey(holdId), next);
      if (next.due) await this.store.put(dueKey(next.due.at, holdId), 1);
    } else if (previous) await this.store.delete(stateKey(holdId));
  }
}
