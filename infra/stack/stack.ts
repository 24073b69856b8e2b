/**
 * The local stack as a whole: up (idempotent, in parallel where safe), down (in order, then verified), status, and
 * the state that outlives a command (`stack.json`: port offset and Kafka mode; `endpoints.json` for
 * infra/config.ts `loadEndpoints()`).
 *
 * Order: the schema registry needs Kafka, so it starts after Kafka is ready and stops before Kafka; PostgreSQL,
 * Redis and ClickHouse are independent of everything and start alongside Kafka.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { stackDir as configuredStackDir } from '../config.js';
import { clickhouseComponent } from './clickhouse.js';
import type { Component, ComponentStatus, StackContext } from './component.js';
import { kafkaComponent, kafkaRunningMode, startKafkaNode, stopKafkaNode } from './kafka.js';
import {
  allStackPorts,
  componentNames,
  stackEndpointsOf,
  stackLayout,
  type ComponentName,
  type KafkaMode,
  type StackEndpoints,
  type StackLayout,
} from './layout.js';
import { withLock } from './lock.js';
import { postgresComponent, restartPostgresServer } from './postgres.js';
import { portHolder, snapshot } from './processes.js';
import { ComponentNotReady, seconds } from './readiness.js';
import { redisComponent } from './redis.js';
import { schemaRegistryComponent } from './schema-registry.js';

export interface StackOptions {
  /** Default: SEATSTREAM_STACK_DIR, else <repo>/.stack (infra/config.ts `stackDir`). */
  stackDir?: string;
  /** Shift every port by this much (a second stack beside the developer's). Remembered in stack.json. */
  portOffset?: number;
  /** Kafka nodes for `up`: 1, or 3 for a replicated cluster. Default: the mode running now, else 1. */
  brokers?: KafkaMode;
  /**
   * For `up`: the partners' SASL listener over TLS (SASL_SSL, certificate from a CA of the stack) or not
   * (SASL_PLAINTEXT). Default: the choice Kafka runs with (remembered in stack.json), else false. A running Kafka
   * with the other choice is restarted.
   */
  tls?: boolean;
  /** Components for `up` (default: all). */
  only?: ComponentName[];
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
}

export interface StackStatus {
  stackDir: string;
  portOffset: number;
  kafkaBrokers: KafkaMode;
  /** infra/config.ts's endpoints, plus `kafkaSasl` (the partners' SASL listener), its protocol and CA. */
  endpoints: StackEndpoints;
  components: ComponentStatus[];
}

export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackError';
  }
}

interface SavedState {
  portOffset: number;
  kafkaBrokers: KafkaMode;
  kafkaTls?: boolean;
}

function readState(dir: string): Partial<SavedState> {
  try {
    return JSON.parse(readFileSync(`${dir}/stack.json`, 'utf8')) as Partial<SavedState>;
  } catch {
    return {};
  }
}

function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, file);
}

function resolve(opts: StackOptions): { layout: StackLayout; saved: Partial<SavedState> } {
  const dir = opts.stackDir ?? configuredStackDir;
  const saved = readState(dir);
  return { layout: stackLayout(dir, opts.portOffset ?? saved.portOffset ?? 0), saved };
}

function components(layout: StackLayout): Record<ComponentName, Component> {
  return {
    kafka: kafkaComponent(layout),
    schemaRegistry: schemaRegistryComponent(layout),
    postgres: postgresComponent(layout),
    redis: redisComponent(layout),
    clickhouse: clickhouseComponent(layout),
  };
}

function statusOf(layout: StackLayout, saved: Partial<SavedState>): StackStatus {
  const s = snapshot();
  const mode = kafkaRunningMode(layout, s) ?? saved.kafkaBrokers ?? 1;
  const tls = saved.kafkaTls ?? false;
  const ctx: StackContext = { layout, kafkaMode: mode, kafkaTls: tls, log: () => undefined };
  const all = components(layout);
  return {
    stackDir: layout.dir,
    portOffset: layout.portOffset,
    kafkaBrokers: mode,
    endpoints: stackEndpointsOf(layout, mode, tls),
    components: componentNames.map((n) => all[n].status(s, ctx)),
  };
}

/** What runs now: per component its state (up, starting, degraded, down, unavailable), pids, ports, data directory. */
export async function stackStatus(opts: StackOptions = {}): Promise<StackStatus> {
  const { layout, saved } = resolve(opts);
  return statusOf(layout, saved);
}

/**
 * Starts the components that are not running (all, or `only`), waits until each is ready, writes endpoints.json.
 * Components already running are left alone and reported. Throws a StackError naming every component that failed
 * (each with its log's tail); the others are left running.
 */
export async function stackUp(opts: StackOptions = {}): Promise<StackStatus> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const { layout, saved } = resolve(opts);
  mkdirSync(layout.dir, { recursive: true });
  return withLock(
    layout.lockDir,
    async () => {
      const t0 = Date.now();
      const wanted = new Set(opts.only ?? componentNames);
      const running = kafkaRunningMode(layout);
      // --brokers only matters when Kafka is one of the components to bring up
      const mode: KafkaMode = wanted.has('kafka') ? (opts.brokers ?? running ?? 1) : (running ?? opts.brokers ?? 1);
      const runningTls = running === undefined ? undefined : (saved.kafkaTls ?? false);
      const tls = wanted.has('kafka') ? (opts.tls ?? runningTls ?? false) : (runningTls ?? opts.tls ?? false);
      const savedLayout = saved.portOffset !== undefined ? stackLayout(layout.dir, saved.portOffset) : layout;
      if (
        savedLayout.portOffset !== layout.portOffset &&
        statusOf(savedLayout, saved).components.some((c) => c.state !== 'down' && c.state !== 'unavailable')
      )
        throw new StackError(
          `the stack in ${layout.dir} runs with port offset ${saved.portOffset}; stop it before using offset ${layout.portOffset}`,
        );
      writeJson(layout.stateFile, {
        portOffset: layout.portOffset,
        kafkaBrokers: mode,
        kafkaTls: tls,
      } satisfies SavedState);
      const ctx: StackContext = { layout, kafkaMode: mode, kafkaTls: tls, log };
      const all = components(layout);
      const failures: string[] = [];

      const bring = async (name: ComponentName) => {
        if (!wanted.has(name)) return;
        const t = Date.now();
        try {
          log(`${name}: ${await all[name].up(ctx)}`);
        } catch (err) {
          const msg = err instanceof ComponentNotReady ? err.message : `${name}: ${(err as Error).message}`;
          failures.push(msg);
          log(`${name}: FAILED after ${seconds(Date.now() - t)}`);
        }
      };
      const kafkaThenRegistry = async () => {
        // switching Kafka modes: the registry must not stay on brokers that are about to stop
        if (wanted.has('kafka') && running !== undefined && running !== mode) log(await all.schemaRegistry.down(ctx));
        const before = failures.length;
        await bring('kafka');
        if (failures.length > before) {
          if (wanted.has('schemaRegistry')) failures.push('schemaRegistry: not started, Kafka is not ready');
          return;
        }
        if (wanted.has('schemaRegistry') && !wanted.has('kafka') && all.kafka.status(snapshot(), ctx).state !== 'up') {
          failures.push('schemaRegistry: not started, it needs Kafka, which is not running (add kafka to --only)');
          return;
        }
        await bring('schemaRegistry');
      };
      log(
        `stack: up in ${layout.dir} (kafka: ${mode} broker${mode === 1 ? '' : 's'}, partners on ${tls ? 'SASL_SSL' : 'SASL_PLAINTEXT'}${layout.portOffset ? `, port offset ${layout.portOffset}` : ''})`,
      );
      await Promise.all([kafkaThenRegistry(), bring('postgres'), bring('redis'), bring('clickhouse')]);

      const endpoints = stackEndpointsOf(layout, mode, tls);
      writeJson(layout.endpointsFile, endpoints);
      if (failures.length)
        throw new StackError(`stack: ${failures.length} component(s) failed to start\n${failures.join('\n')}`);
      log(`stack: ready in ${seconds(Date.now() - t0)}; endpoints in ${layout.endpointsFile}`);
      return statusOf(layout, { ...saved, kafkaBrokers: mode, kafkaTls: tls });
    },
    (holder) => log(`stack: waiting for another stack command (pid ${holder}) on ${layout.dir}`),
  );
}

/**
 * Stops every component (registry before Kafka), then verifies that no process of the stack is alive and no port
 * of the stack listens; throws a StackError listing what is left otherwise.
 */
export async function stackDown(opts: StackOptions = {}): Promise<void> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const { layout, saved } = resolve(opts);
  if (!existsSync(layout.dir)) {
    log(`stack: nothing in ${layout.dir}`);
    return;
  }
  await withLock(layout.lockDir, async () => {
    const t0 = Date.now();
    const ctx: StackContext = { layout, kafkaMode: saved.kafkaBrokers ?? 1, log };
    const all = components(layout);
    log(await all.schemaRegistry.down(ctx));
    const rest = await Promise.all([
      all.kafka.down(ctx),
      all.postgres.down(ctx),
      all.redis.down(ctx),
      all.clickhouse.down(ctx),
    ]);
    for (const line of rest) log(line);

    const s = snapshot();
    const left: string[] = [];
    for (const name of componentNames)
      for (const p of s.processes.filter((q) => all[name].owns(q)))
        left.push(`${name} process ${p.pid} (${p.cmdline.slice(0, 100)}) is alive`);
    for (const port of allStackPorts(layout)) {
      if (!s.listeners.some((l) => l.port === port)) continue;
      const holder = portHolder(s, port);
      left.push(`port ${port} listens${holder ? ` (${holder.comm}, pid ${holder.pid})` : ''}`);
    }
    if (left.length) throw new StackError(`stack: down left things running:\n  ${left.join('\n  ')}`);
    log(
      `stack: down in ${seconds(Date.now() - t0)}; no process of the stack alive, none of its ${allStackPorts(layout).length} ports listening`,
    );
  });
}

/** Fault injection: stops Kafka node `nodeId` (1-3) of the running cluster; SIGKILL simulates a crash. */
export async function stopKafkaBroker(
  nodeId: number,
  opts: StackOptions & { signal?: 'SIGTERM' | 'SIGKILL' } = {},
): Promise<void> {
  const { layout } = resolve(opts);
  await stopKafkaNode(layout, nodeId, opts.signal ?? 'SIGTERM');
}

/** Fault injection: starts Kafka node `nodeId` again and waits until it is registered and the cluster answers. */
export async function startKafkaBroker(nodeId: number, opts: StackOptions = {}): Promise<void> {
  const { layout, saved } = resolve(opts);
  await startKafkaNode(layout, nodeId, saved.kafkaTls ?? false);
}

/** Fault injection: restarts PostgreSQL, `fast` (clean) or `immediate` (like a crash, WAL replay), and waits until it answers. */
export async function restartPostgres(opts: StackOptions & { mode?: 'fast' | 'immediate' } = {}): Promise<void> {
  const { layout } = resolve(opts);
  await restartPostgresServer(layout, opts.mode ?? 'fast');
}
