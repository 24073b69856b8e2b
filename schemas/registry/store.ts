/**
 * The registry store: the state (state.ts) kept up to date from the log (kafka-log.ts), and writes
 * that append a record and wait until this replica has applied it from the log — so the answer is
 * the log's decision, the same one every other replica reaches.
 *
 * Lifecycle: `start()` creates/checks the topic, notes the end offset, reads from the beginning and
 * resolves once everything up to that offset is applied (`ready` turns true); records keep being
 * applied afterwards, whoever wrote them.
 */
import { operationTimeout, storeError, RegistryError } from './errors.js';
import type { Logger } from '../../infra/log.js';
import { connectSchemasLog, type LogEntry, type SchemasLog } from './kafka-log.js';
import { decodeRecord, encodeRecord, type LogRecord } from './log-records.js';
import { RegistryState, type Outcome } from './state.js';

export interface RegistryStoreOptions {
  brokers: string[];
  topic: string;
  log: Logger;
  /** How long a write waits for its record to come back from the log (default 30 s). */
  applyTimeoutMs?: number;
  /** Called after each applied record (metrics). */
  onApplied?: (record: LogRecord | undefined, outcome: Outcome | undefined, offset: number) => void;
}

interface Waiter {
  resolve: (o: Outcome) => void;
  timer: NodeJS.Timeout;
}

type Lifecycle = 'new' | 'starting' | 'ready' | 'closing' | 'closed';

export class RegistryStore {
  readonly state = new RegistryState();
  private readonly kafkaLog: SchemasLog;
  private readonly waiters = new Map<string, Waiter>();
  private appliedOffset = -1;
  private catchUp: { target: number; done: () => void } | undefined;
  private lifecycle: Lifecycle = 'new';

  constructor(private readonly opts: RegistryStoreOptions) {
    this.kafkaLog = connectSchemasLog({ brokers: opts.brokers, topic: opts.topic, log: opts.log });
  }

  /** True once the log has been read up to where it ended at startup. */
  get ready(): boolean {
    return this.lifecycle === 'ready';
  }

  /** Offset of the last applied record (-1 before any). */
  get offset(): number {
    return this.appliedOffset;
  }

  async start(): Promise<void> {
    if (this.lifecycle !== 'new') throw new Error(`cannot start a store that is ${this.lifecycle}`);
    this.lifecycle = 'starting';
    await this.kafkaLog.ensureTopic();
    const target = await this.kafkaLog.endOffset();
    const caughtUp = new Promise<void>((resolve) => {
      this.catchUp = { target, done: resolve };
    });
    await this.kafkaLog.consume((entry) => this.onEntry(entry));
    if (target > 0) await caughtUp;
    this.catchUp = undefined;
    if (this.lifecycle !== 'starting') return; // closed while starting
    this.lifecycle = 'ready';
    this.opts.log.info(
      { topic: this.opts.topic, offset: this.appliedOffset, ...this.state.counts() },
      'schemas log read: ready',
    );
  }

  private onEntry(entry: LogEntry): void {
    if (entry.offset <= this.appliedOffset) return; // redelivered after a consumer restart
    this.appliedOffset = entry.offset;
    const record = decodeRecord(entry.key, entry.value);
    let outcome: Outcome | undefined;
    if (!record) {
      this.opts.log.warn(
        { offset: entry.offset, key: entry.key },
        'skipping a record of the schemas log this registry does not understand',
      );
    } else {
      outcome = this.state.apply(record);
      const waiter = outcome && this.waiters.get(outcome.request);
      if (waiter && outcome) {
        this.waiters.delete(outcome.request);
        clearTimeout(waiter.timer);
        waiter.resolve(outcome);
      }
    }
    this.opts.onApplied?.(record, outcome, entry.offset);
    if (this.catchUp && entry.offset >= this.catchUp.target - 1) this.catchUp.done();
  }

  /**
   * Appends a record and waits until it is applied.
   * @returns the outcome the log decided for it (success or a RegistryError to answer with).
   * @throws RegistryError 50001 if the append fails, 50002 if the record does not come back in time.
   */
  async write(record: LogRecord): Promise<Outcome> {
    if (this.lifecycle !== 'ready') throw storeError(`the store is ${this.lifecycle}`);
    const timeoutMs = this.opts.applyTimeoutMs ?? 30_000;
    const outcome = new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(record.request);
        reject(operationTimeout(`the ${record.kind} record was not read back from the log within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(record.request, { resolve, timer });
    });
    try {
      const offset = await this.kafkaLog.append(encodeRecord(record));
      this.opts.log.debug({ request: record.request, kind: record.kind, offset }, 'record appended');
    } catch (err) {
      const waiter = this.waiters.get(record.request);
      if (waiter) clearTimeout(waiter.timer);
      this.waiters.delete(record.request);
      outcome.catch(() => undefined);
      this.opts.log.error({ err, request: record.request }, 'could not append to the schemas log');
      throw err instanceof RegistryError ? err : storeError((err as Error).message);
    }
    return outcome;
  }

  async close(): Promise<void> {
    if (this.lifecycle === 'closing' || this.lifecycle === 'closed') return;
    this.lifecycle = 'closing';
    for (const [request, waiter] of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve({ request, ok: false, error: storeError('the registry is shutting down') });
    }
    this.waiters.clear();
    this.catchUp?.done();
    await this.kafkaLog.close();
    this.lifecycle = 'closed';
  }
}
