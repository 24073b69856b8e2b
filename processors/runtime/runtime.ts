/**
 * The stream-processing runtime of one application instance (Kafka Streams' `KafkaStreams`): joins
 * the application's consumer group, opens a task per assigned input partition (fencing, restore,
 * committed offsets), feeds fetched batches to tasks, closes tasks on revocation, shuts down
 * gracefully, exposes metrics and interactive point reads.
 *
 *   const runtime = new StreamRuntime(topology, { applicationId: 'seat-allocation', brokers, stateDir });
 *   await runtime.start();
 *   await runtime.query('inventory', eventId);   // committed state of the local task owning eventId
 *   await runtime.close();
 *
 * Any number of instances with the same applicationId share the partitions. Opening a task:
 *   1. its transactional producer is initialised: an older owner (zombie) is fenced and its open
 *      transaction completed or aborted — only then are changelogs and offsets read;
 *   2. each store is opened (rebuilt when missing or corrupt) and restored from its checkpoint to
 *      the end (last stable offset) of its changelog partition;
 *   3. the group's committed offsets (else auto-offset-reset) become the task's positions;
 *   4. processors are initialised, the consumer seeks and resumes the partition.
 */
import { randomUUID } from 'node:crypto';
import { logger, type Logger } from '../../infra/log.js';
import type {
  BatchControl,
  ConsumedBatch,
  GroupConsumer,
  KafkaAdmin,
  KafkaClient,
  ChangelogReader,
  TopicPartition,
} from './client.js';
import {
  ConfigError,
  NotLocalError,
  NotRunningError,
  RuntimeError,
  TaskMigratedError,
  UnknownStoreError,
} from './errors.js';
import { createKafkajsClient } from './kafka/client.js';
import { RuntimeMetrics } from './metrics.js';
import {
  changelogSpec,
  dlqSpec,
  restoreGroupFor,
  sourceSpec,
  storeDirFor,
  taskIdFor,
  transactionalIdFor,
} from './naming.js';
import { TaskStore } from './state/task-store.js';
import { StreamTask, type TaskConfig } from './task.js';
import { assignTasks } from './task-assignment.js';
import { Topology, type BuiltTopology } from './topology.js';

export interface RuntimeConfig {
  /** Names the consumer group, transactional ids, changelogs and the state directory. */
  applicationId: string;
  brokers: string[];
  /** Stores live in `<stateDir>/<applicationId>/<taskId>/<store>`. */
  stateDir: string;
  /** Longest time records wait for a commit while a batch is processed (default 100 ms, as Kafka Streams under EOS). */
  commitIntervalMs?: number;
  /** The group forgets a member silent this long (default 10 s; the broker allows 6 s and up). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  /** How long a fetch waits for data (default 100 ms). */
  fetchMaxWaitMs?: number;
  maxBytesPerPartition?: number;
  /** Tasks processing batches at the same time (default 4). */
  partitionsConsumedConcurrently?: number;
  /** Attempts after the first before a failing record goes to the DLQ (default 3). */
  processingRetries?: number;
  /** Outputs buffered before being sent inside the open transaction (default 4 MiB). */
  maxBufferedBytes?: number;
  transactionTimeoutMs?: number;
  /**
   * A local store whose checkpoint is older is rebuilt from its changelog instead of caught up
   * (default 12 h: half the broker's default delete.retention.ms, after which compaction may drop
   * tombstones a stale store would miss).
   */
  maxCheckpointAgeMs?: number;
  /** Where a partition without committed offset starts (default 'earliest'). */
  autoOffsetReset?: 'earliest' | 'latest';
  /** Close gracefully on SIGTERM/SIGINT, then exit the process (default false). */
  handleSignals?: boolean;
  /** Names this instance's restore group and client id (default: random). */
  instanceId?: string;
  /** Another Kafka client behind the same boundary (default kafkajs). */
  client?: KafkaClient;
  log?: Logger;
}

export type RuntimeState = 'created' | 'starting' | 'running' | 'closing' | 'closed';

export interface TaskOpenedEvent {
  taskId: string;
  partition: number;
  /** Changelog records applied per store. */
  restored: Record<string, number>;
  /** Stores thrown away on open (missing checkpoint, corrupt, other changelog, behind the changelog's start). */
  wiped: Record<string, string>;
  durationMs: number;
}

export interface TaskClosedEvent {
  taskId: string;
  partition: number;
  clean: boolean;
  reason: 'revoked' | 'shutdown' | 'migrated' | 'corrupted' | 'lost-while-opening';
}

export interface RuntimeEvents {
  /** After each rebalance: the partitions (tasks) this instance owns now. */
  assigned: (partitions: number[]) => void;
  taskOpened: (event: TaskOpenedEvent) => void;
  taskClosed: (event: TaskClosedEvent) => void;
}

const defaults = {
  commitIntervalMs: 100,
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 30_000,
  fetchMaxWaitMs: 100,
  maxBytesPerPartition: 1024 * 1024,
  partitionsConsumedConcurrently: 4,
  processingRetries: 3,
  maxBufferedBytes: 4 * 1024 * 1024,
  transactionTimeoutMs: 60_000,
  autoOffsetReset: 'earliest',
  maxCheckpointAgeMs: 12 * 60 * 60 * 1000,
} as const;

export class StreamRuntime {
  readonly topology: BuiltTopology;
  readonly metrics: RuntimeMetrics;
  readonly instanceId: string;

  private readonly config: RuntimeConfig & typeof defaults & { heartbeatIntervalMs: number };
  private readonly client: KafkaClient;
  private readonly log: Logger;
  private readonly listeners: { [E in keyof RuntimeEvents]: RuntimeEvents[E][] } = {
    assigned: [],
    taskOpened: [],
    taskClosed: [],
  };

  private state: RuntimeState = 'created';
  private admin: KafkaAdmin | undefined;
  private consumer: GroupConsumer | undefined;
  private reader: ChangelogReader | undefined;
  private partitions = 0;
  private readonly sourceTopics: string[];
  private readonly changelogs = new Map<string, string>();
  private readonly deadLetters = new Map<string, { topic: string; keepsPartition: boolean }>();

  /** Running tasks by partition. */
  private readonly tasks = new Map<number, StreamTask>();
  /** The latest assignment. */
  private assigned = new Set<number>();
  /** Open/close operations, chained per partition so they never overlap. */
  private readonly ops = new Map<number, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closing: Promise<void> | undefined;
  private readonly signalHandler = (signal: NodeJS.Signals) => this.onSignal(signal);

  constructor(topology: Topology | BuiltTopology, config: RuntimeConfig) {
    if (!config.applicationId || !/^[A-Za-z0-9._-]+$/.test(config.applicationId))
      throw ConfigError(`applicationId must match [A-Za-z0-9._-]+ (got '${config.applicationId}')`);
    if (!config.client && config.brokers.length === 0) throw ConfigError('no Kafka brokers given');
    if (!config.stateDir) throw ConfigError('no stateDir given');
    this.topology = topology instanceof Topology ? topology.build() : topology;
    const sessionTimeoutMs = config.sessionTimeoutMs ?? defaults.sessionTimeoutMs;
    this.config = {
      ...defaults,
      ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)),
      heartbeatIntervalMs: config.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeoutMs / 3)),
    } as StreamRuntime['config'];
    this.instanceId = config.instanceId ?? randomUUID().slice(0, 8);
    this.log = config.log ?? logger('runtime', { applicationId: config.applicationId, instance: this.instanceId });
    this.client =
      config.client ??
      createKafkajsClient({
        brokers: config.brokers,
        clientId: `${config.applicationId}-${this.instanceId}`,
        log: this.log,
      });
    this.sourceTopics = this.topology.sourceTopics;
    this.metrics = new RuntimeMetrics(config.applicationId, () =>
      [...this.tasks.values()].flatMap((t) => t.storeStats()),
    );
  }

  get applicationId(): string {
    return this.config.applicationId;
  }

  get status(): RuntimeState {
    return this.state;
  }

  on<E extends keyof RuntimeEvents>(event: E, listener: RuntimeEvents[E]): this {
    this.listeners[event].push(listener);
    return this;
  }

  /** The partitions whose tasks run here now. */
  runningPartitions(): number[] {
    return [...this.tasks.keys()].sort((a, b) => a - b);
  }

  /** Prometheus text for /metrics. */
  metricsText(): Promise<string> {
    return this.metrics.text();
  }

  /** Checks topics, creates changelogs and dead-letter topics, joins the group. */
  async start(): Promise<void> {
    if (this.state !== 'created')
      throw new RuntimeError('SS_ERR_RUNTIME_CONFIG', `start() called in state ${this.state}`);
    this.state = 'starting';
    try {
      const admin = (this.admin = await this.client.admin());
      const counts = await Promise.all(this.sourceTopics.map((t) => admin.partitionCount(t)));
      if (new Set(counts).size !== 1)
        throw new RuntimeError(
          'SS_ERR_RUNTIME_COPARTITIONING',
          `source topics must have the same partition count: ${this.sourceTopics.map((t, i) => `${t}=${counts[i]}`).join(', ')}`,
        );
      this.partitions = counts[0]!;
      const sources = this.sourceTopics.map((t) => sourceSpec(t, this.partitions));
      const changelogSpecs = [...this.topology.stores.keys()].map((store) => {
        const spec = changelogSpec(this.applicationId, store, sources[0]!);
        this.changelogs.set(store, spec.name);
        return spec;
      });
      const dlqSpecs = sources.map(dlqSpec);
      await admin.ensureTopics([...changelogSpecs, ...dlqSpecs]);
      for (const spec of changelogSpecs) {
        const n = await admin.partitionCount(spec.name);
        if (n < this.partitions)
          throw ConfigError(`changelog ${spec.name} has ${n} partitions, fewer than the ${this.partitions} tasks`);
      }
      for (const [i, spec] of dlqSpecs.entries()) {
        const keepsPartition = (await admin.partitionCount(spec.name)) >= this.partitions;
        this.deadLetters.set(this.sourceTopics[i]!, { topic: spec.name, keepsPartition });
      }
      this.reader = this.client.changelogReader({
        groupId: restoreGroupFor(this.applicationId, this.instanceId),
        topics: [...this.changelogs.values()],
      });
      const consumer = (this.consumer = this.client.groupConsumer({
        groupId: this.applicationId,
        topics: this.sourceTopics,
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        fetchMaxWaitMs: this.config.fetchMaxWaitMs,
        maxBytesPerPartition: this.config.maxBytesPerPartition,
        partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently,
        ownedTasks: () => this.runningPartitions(),
        assignTasks,
      }));
      if (this.config.handleSignals) {
        process.on('SIGTERM', this.signalHandler);
        process.on('SIGINT', this.signalHandler);
      }
      this.state = 'running';
      await consumer.run({
        onAssigned: (assignment) => this.onAssigned(assignment),
        onBatch: (batch, control) => this.onBatch(batch, control),
      });
      this.log.info({ partitions: this.partitions, topics: this.sourceTopics }, 'runtime started');
    } catch (err) {
      this.log.error({ err }, 'runtime failed to start');
      await this.close();
      throw err;
    }
  }

  /**
   * Reads `key` from the committed state of `storeName` in the local task owning the key's
   * partition (murmur2 of the key's bytes by the store's key serde: the store must be keyed like
   * its input, as Kafka Streams assumes for its key queries).
   * @throws NotLocalError when that partition's task does not run here (another instance owns it).
   */
  async query<K, V>(storeName: string, key: K): Promise<V | undefined> {
    const spec = this.topology.stores.get(storeName);
    if (!spec) throw UnknownStoreError(storeName, 'the topology');
    if (this.state !== 'running') throw NotRunningError(`query(${storeName})`);
    const bytes = await spec.keySerde.serialize(this.changelogs.get(storeName)!, key);
    const partition = this.client.partitionFor(bytes, this.partitions);
    const task = this.tasks.get(partition);
    if (!task?.isRunning) throw new NotLocalError(storeName, partition);
    try {
      return await task.readOnlyStore<K, V>(storeName).get(key);
    } catch (err) {
      if (!task.isRunning) throw new NotLocalError(storeName, partition);
      throw err;
    }
  }

  /**
   * Graceful shutdown: the batches in flight finish and commit, the group is left, every task
   * closes (processors, final commit, stores, producer).
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // ---- group membership ----

  private onAssigned(assignment: TopicPartition[]): void {
    const partitions = new Set(assignment.map((a) => a.partition));
    this.assigned = partitions;
    const consumer = this.consumer!;
    const paused: TopicPartition[] = [];
    for (const p of partitions) {
      const task = this.tasks.get(p);
      if (task?.isRunning) {
        // kafkajs forgets positions on every rejoin and would read the group's committed offsets,
        // which may lag our last commit by a moment: the task knows where it is.
        for (const topic of this.sourceTopics) {
          const position = task.position(topic);
          if (position !== undefined) consumer.seek({ topic, partition: p }, position);
        }
      } else {
        paused.push(...this.sourceTopics.map((topic) => ({ topic, partition: p })));
      }
    }
    consumer.pause(paused);
    for (const p of [...this.tasks.keys()]) if (!partitions.has(p)) this.retire(p, true, 'revoked');
    for (const p of partitions) if (!this.tasks.has(p)) this.enqueue(p, () => this.openTask(p));
    this.log.info({ partitions: [...partitions].sort((a, b) => a - b) }, 'assigned');
    this.emit(
      'assigned',
      [...partitions].sort((a, b) => a - b),
    );
  }

  private async onBatch(batch: ConsumedBatch, control: BatchControl): Promise<void> {
    const task = this.tasks.get(batch.partition);
    if (!task?.isRunning) return;
    try {
      await task.processBatch(batch, control);
    } catch (err) {
      this.taskFailed(batch.partition, task, err);
    }
  }

  /**
   * A fenced task waits a session timeout before opening again (if still ours by then, any zombie
   * situation has been resolved by the group); a corrupted one reopens at once, restoring from
   * its changelog and the committed offsets.
   */
  private taskFailed(partition: number, task: StreamTask, err: unknown): void {
    if (this.tasks.get(partition) !== task) return;
    const migrated = err instanceof TaskMigratedError;
    this.log.warn(
      { err, partition },
      migrated ? 'task fenced: closing it (TaskMigrated)' : 'task corrupted: reopening it',
    );
    this.retire(partition, false, migrated ? 'migrated' : 'corrupted');
    this.later(migrated ? this.config.sessionTimeoutMs : 0, () =>
      this.enqueue(partition, () => this.openTask(partition)),
    );
  }

  // ---- task lifecycle ----

  private enqueue(partition: number, op: () => Promise<void>): void {
    const previous = this.ops.get(partition) ?? Promise.resolve();
    const next = previous.then(op).catch((err: unknown) => this.log.error({ err, partition }, 'task operation failed'));
    this.ops.set(partition, next);
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.state === 'running') fn();
    }, ms);
    this.timers.add(timer);
  }

  /** Stops feeding a task at once, closes it in the background. */
  private retire(partition: number, clean: boolean, reason: TaskClosedEvent['reason']): void {
    const task = this.tasks.get(partition);
    if (!task) return;
    this.tasks.delete(partition);
    this.metrics.activeTasks.set(this.tasks.size);
    if (this.state === 'running') this.consumer?.pause(this.sourceTopics.map((topic) => ({ topic, partition })));
    this.enqueue(partition, async () => {
      await task.close(clean);
      this.log.info({ taskId: task.taskId, clean, reason }, 'task closed');
      this.emit('taskClosed', { taskId: task.taskId, partition, clean, reason });
    });
  }

  private async openTask(partition: number): Promise<void> {
    if (this.state !== 'running' || !this.assigned.has(partition) || this.tasks.has(partition)) return;
    const started = performance.now();
    const taskId = taskIdFor(partition);
    const log = this.log.child({ taskId });
    const producer = this.client.transactionalProducer(
      transactionalIdFor(this.applicationId, this.sourceTopics[0]!, partition),
      { transactionTimeoutMs: this.config.transactionTimeoutMs },
    );
    const stores = new Map<string, TaskStore>();
    let task: StreamTask | undefined;
    try {
      await producer.init();
      for (const [name, spec] of this.topology.stores) {
        stores.set(
          name,
          await TaskStore.open({
            name,
            dir: storeDirFor(this.config.stateDir, this.applicationId, taskId, name),
            changelog: { topic: this.changelogs.get(name)!, partition },
            cacheEntries: spec.cacheEntries,
            log,
          }),
        );
      }
      const wiped: Record<string, string> = {};
      for (const s of stores.values()) if (s.wiped) wiped[s.name] = s.wiped;
      const restored = await this.restore(partition, stores, wiped, log);
      const positions = await this.committedPositions(partition);
      task = new StreamTask({
        applicationId: this.applicationId,
        taskId,
        partition,
        topology: this.topology,
        stores,
        producer,
        deadLetters: this.deadLetters,
        positions,
        rewind: (topic, offset) => this.consumer?.seek({ topic, partition }, offset),
        onFailure: (err) => this.taskFailed(partition, task!, err),
        config: this.taskConfig(),
        metrics: this.metrics,
        log,
      });
      await task.initialize();
      if (this.state !== 'running' || !this.assigned.has(partition)) {
        await task.close(true);
        this.emit('taskClosed', { taskId, partition, clean: true, reason: 'lost-while-opening' });
        return;
      }
      this.tasks.set(partition, task);
      this.metrics.activeTasks.set(this.tasks.size);
      for (const [topic, offset] of positions) this.consumer!.seek({ topic, partition }, offset);
      this.consumer!.resume(this.sourceTopics.map((topic) => ({ topic, partition })));
      const durationMs = Math.round(performance.now() - started);
      log.info({ restored, wiped, positions: Object.fromEntries(positions), durationMs }, 'task opened');
      this.emit('taskOpened', { taskId, partition, restored, wiped, durationMs });
    } catch (err) {
      if (this.state === 'running') log.error({ err }, 'opening the task failed: retrying');
      else log.info('task opening abandoned: shutting down');
      if (task) await task.close(false).catch(() => undefined);
      else {
        for (const s of stores.values()) await s.close().catch(() => undefined);
        await producer.close().catch(() => undefined);
      }
      this.later(1_000, () => this.enqueue(partition, () => this.openTask(partition)));
    }
  }

  /** Brings each store of the task from its checkpoint to the end of its changelog partition. */
  private async restore(
    partition: number,
    stores: Map<string, TaskStore>,
    wiped: Record<string, string>,
    log: Logger,
  ): Promise<Record<string, number>> {
    const restored: Record<string, number> = {};
    for (const store of stores.values()) {
      const topic = store.changelog.topic;
      const { low, high } = (await this.admin!.offsets(topic)).get(partition) ?? { low: 0, high: 0 };
      let from = store.checkpoint;
      const age = Date.now() - (store.checkpointAt ?? 0);
      const reason =
        from > high
          ? 'ahead-of-changelog' // the changelog was recreated: the local state is not its
          : from < low && from > 0
            ? 'behind-changelog-start' // records the store never saw were deleted
            : from < high && from > 0 && age > this.config.maxCheckpointAgeMs
              ? 'stale-checkpoint' // compaction may have dropped tombstones the store would miss
              : undefined;
      if (reason) {
        log.warn({ store: store.name, checkpoint: from, low, high, age }, `rebuilding the store: ${reason}`);
        wiped[store.name] = reason;
        await store.wipe();
      }
      from = Math.max(store.checkpoint, low);
      const t0 = performance.now();
      let count = 0;
      await this.reader!.read({ topic, partition }, from, high, async (records, next) => {
        await store.restore(records, next);
        count += records.length;
      });
      if (store.checkpoint < high) await store.restore([], high);
      restored[store.name] = count;
      this.metrics.restoredRecords.inc({ store: store.name }, count);
      this.metrics.restoreSeconds.observe({ store: store.name }, (performance.now() - t0) / 1000);
    }
    return restored;
  }

  /** The group's committed positions of the partition in every source topic, else the reset policy's. */
  private async committedPositions(partition: number): Promise<Map<string, number>> {
    const positions = new Map<string, number>();
    for (const topic of this.sourceTopics) {
      const committed = (await this.admin!.committedOffsets(this.applicationId, topic)).get(partition);
      if (committed !== undefined) {
        positions.set(topic, committed);
        continue;
      }
      const offsets = (await this.admin!.offsets(topic)).get(partition) ?? { low: 0, high: 0 };
      positions.set(topic, this.config.autoOffsetReset === 'earliest' ? offsets.low : offsets.high);
    }
    return positions;
  }

  private taskConfig(): TaskConfig {
    return {
      commitIntervalMs: this.config.commitIntervalMs,
      processingRetries: this.config.processingRetries,
      maxBufferedBytes: this.config.maxBufferedBytes,
      sendLimits: this.client.sendLimits,
      abortBackoffMs: 500,
    };
  }

  // ---- shutdown ----

  private async shutdown(): Promise<void> {
    const wasStarted = this.state === 'running' || this.state === 'starting';
    this.state = 'closing';
    process.off('SIGTERM', this.signalHandler);
    process.off('SIGINT', this.signalHandler);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (wasStarted) this.log.info('closing');
    try {
      await this.consumer?.stop();
    } catch (err) {
      this.log.warn({ err }, 'stopping the consumer failed');
    }
    // Restores in progress are abandoned (their tasks close without having run).
    await this.reader?.close().catch((err: unknown) => this.log.warn({ err }, 'closing the changelog reader failed'));
    for (const p of [...this.tasks.keys()]) this.retire(p, true, 'shutdown');
    // Operations may chain further operations while we wait: wait until none is left.
    for (let pending = [...this.ops.values()]; pending.length;) {
      await Promise.all(pending);
      const now = [...this.ops.values()];
      pending = now.filter((p) => !pending.includes(p));
    }
    await this.admin?.close().catch((err: unknown) => this.log.warn({ err }, 'closing the admin client failed'));
    this.state = 'closed';
    if (wasStarted) this.log.info('closed');
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (this.closing) {
      this.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    this.log.info({ signal }, 'signal received: shutting down');
    void this.close().then(
      () => process.exit(0),
      (err: unknown) => {
        this.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  }

  private emit<E extends keyof RuntimeEvents>(event: E, ...args: Parameters<RuntimeEvents[E]>): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (...a: Parameters<RuntimeEvents[E]>) => void)(...args);
      } catch (err) {
        this.log.warn({ err, event }, 'a runtime event listener threw');
      }
    }
  }
}
