/**
 * The partner projector: the public topology on the stream runtime (public-topology.ts) and the bookings router
 * (bookings-router.ts), side by side in one process, plus their metrics. `startPartnerProjector` is what main.ts
 * runs and what the integration tests start in-process against the real stack.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { Counter, Registry } from 'prom-client';
import { kafkaBrokers, loadEndpoints, stackDir } from '../../infra/config.js';
import { logger, type Logger } from '../../infra/log.js';
import type { PartnerBooking } from '../../schemas/generated/partner-booking.js';
import { createRegistryClient, type RegistryClient } from '../../schemas/registry-client.js';
import { createAvroSerde, serdeFor } from '../../schemas/serde.js';
import { assertSubjects } from '../../schemas/subjects.js';
import { partnerTopics, topics } from '../../topics/catalog.js';
import { StreamRuntime } from '../../processors/runtime/index.js';
import { createKafka } from '../kafka-source/kafka.js';
import { BookingsRouter, BOOKINGS_ROUTER_GROUP } from './bookings-router.js';
import { createPartnerDirectory } from './directory.js';
import { PROJECTOR_APPLICATION_ID, publicPartnerTopology } from './public-topology.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ProjectorConfig {
  /** Application id of the public topology (consumer group, transactional ids, changelog, state directory). */
  applicationId: string;
  /** Consumer group (and transactional-id prefix) of the bookings router. */
  routerGroupId: string;
  instanceId: string;
  stateDir: string;
  commitIntervalMs: number;
  /** Where new consumer groups start: 'earliest' (production: every decision counts) or 'latest' (tests). */
  autoOffsetReset: 'earliest' | 'latest';
}

/**
 *   PARTNER_PROJECTOR_INSTANCE_ID   this instance's name (default: the host name)
 *   PARTNER_PROJECTOR_STATE_DIR     RocksDB store of the sales counters (default .stack/state/partner-projector/<id>)
 *   PARTNER_PROJECTOR_COMMIT_MS     longest wait for a commit (default 100)
 *   PARTNER_PROJECTOR_HTTP_PORT     /metrics on 127.0.0.1 (main.ts; default 0: any free port)
 */
export function projectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const instanceId = env.PARTNER_PROJECTOR_INSTANCE_ID?.trim() || hostname().replace(/[^A-Za-z0-9._-]/g, '-');
  const commit = Number(env.PARTNER_PROJECTOR_COMMIT_MS?.trim() || 100);
  if (!Number.isSafeInteger(commit) || commit < 1)
    throw new Error('PARTNER_PROJECTOR_COMMIT_MS must be an integer >= 1');
  return {
    applicationId: PROJECTOR_APPLICATION_ID,
    routerGroupId: BOOKINGS_ROUTER_GROUP,
    instanceId,
    stateDir: env.PARTNER_PROJECTOR_STATE_DIR?.trim() || join(stackDir, 'state', 'partner-projector', instanceId),
    commitIntervalMs: commit,
    autoOffsetReset: 'earliest',
  };
}

export class ProjectorMetrics {
  readonly registry = new Registry();
  readonly routed: Counter<'partner'>;
  readonly skipped: Counter<'partner' | 'reason'>;
  readonly deadLetters: Counter;
  readonly failedBatches: Counter;

  constructor() {
    const registers = [this.registry];
    this.routed = new Counter({
      name: 'seatstream_partner_bookings_routed_total',
      help: 'Bookings written to a partner topic, by partner',
      labelNames: ['partner'],
      registers,
    });
    this.skipped = new Counter({
      name: 'seatstream_partner_bookings_skipped_total',
      help: 'Bookings of a partner channel not written, by reason: not-live (unknown, provisioning or deleted partner), not-provisioned (no schema subject)',
      labelNames: ['partner', 'reason'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'seatstream_partner_bookings_dead_letters_total',
      help: 'Undecodable decisions the bookings router sent to the dead-letter topic',
      registers,
    });
    this.failedBatches = new Counter({
      name: 'seatstream_partner_bookings_failed_batches_total',
      help: 'Bookings batches aborted, to be processed again',
      registers,
    });
  }
}

export interface PartnerProjector {
  runtime: StreamRuntime;
  router: BookingsRouter;
  metrics: ProjectorMetrics;
  /** Resolves once every task of the topology runs and the router has its positions. */
  ready(): Promise<void>;
  /** Prometheus text: the runtime's metrics, then the router's. */
  metricsText(): Promise<string>;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: ProjectorConfig;
  pool: pg.Pool;
  brokers?: string[];
  registry?: RegistryClient;
  log?: Logger;
  /** kafkajs' consumer of the router gave up: the process should exit. */
  onFatal?: (err: unknown) => void;
  /**
   * Project only these events. For tests sharing a stack: a test projector starting at the end of the topics would
   * otherwise publish counters of other events counted from zero.
   */
  eventFilter?: (eventId: string) => boolean;
}

/** Checks the schema subjects (a missing or incompatible one stops the start), then starts both parts. */
export async function startPartnerProjector(o: StartOptions): Promise<PartnerProjector> {
  const endpoints = loadEndpoints();
  const brokers = o.brokers ?? kafkaBrokers(endpoints);
  const registry = o.registry ?? createRegistryClient(endpoints.schemaRegistry);
  const log = o.log ?? logger('partner-projector', { instance: o.config.instanceId });
  await assertSubjects(
    [topics.catalogEvents, topics.eventAvailability, topics.reservationEvents, ...Object.values(partnerTopics)],
    registry,
  );
  const metrics = new ProjectorMetrics();
  const filter = o.eventFilter ? { eventFilter: o.eventFilter } : {};
  const runtime = new StreamRuntime(publicPartnerTopology({ registry, ...filter }), {
    applicationId: o.config.applicationId,
    brokers,
    stateDir: o.config.stateDir,
    commitIntervalMs: o.config.commitIntervalMs,
    instanceId: o.config.instanceId,
    autoOffsetReset: o.config.autoOffsetReset,
    log: logger('runtime', { applicationId: o.config.applicationId, instance: o.config.instanceId }),
  });
  const router = new BookingsRouter({
    kafka: createKafka({ clientId: `${o.config.routerGroupId}-${o.config.instanceId}`, brokers, log }),
    decisions: serdeFor(topics.reservationEvents, registry, { autoRegister: false }),
    bookings: createAvroSerde<PartnerBooking>({ registry, schema: 'partner-booking.avsc', autoRegister: false }),
    directory: createPartnerDirectory({ pool: o.pool }),
    log,
    groupId: o.config.routerGroupId,
    fromBeginning: o.config.autoOffsetReset === 'earliest',
    ...filter,
    counters: {
      routed: (p) => metrics.routed.inc({ partner: p }),
      skipped: (p, reason) => metrics.skipped.inc({ partner: p, reason }),
      deadLettered: () => metrics.deadLetters.inc(),
      batchFailed: () => metrics.failedBatches.inc(),
    },
    ...(o.onFatal ? { onFatal: o.onFatal } : {}),
  });
  await runtime.start();
  try {
    await router.start();
  } catch (err) {
    await runtime.close();
    throw err;
  }
  log.info({ applicationId: o.config.applicationId, router: o.config.routerGroupId }, 'partner projector running');
  return {
    runtime,
    router,
    metrics,
    ready: async () => {
      await router.ready;
      const deadline = Date.now() + 120_000;
      while (runtime.runningPartitions().length < topics.reservationEvents.partitions) {
        if (runtime.status !== 'running' || Date.now() > deadline)
          throw new Error(`the partner topology is ${runtime.status}, tasks ${runtime.runningPartitions().join(',')}`);
        await sleep(100);
      }
    },
    metricsText: async () => `${await runtime.metricsText()}\n${await metrics.registry.metrics()}`,
    stop: async () => {
      await Promise.allSettled([router.stop(), runtime.close()]);
    },
  };
}
