/**
 * Kafka in KRaft mode from the jars in .stack/kafka/libs: one node, or a cluster of three, each node broker and
 * controller. Storage is formatted on a node's first start; configuration is regenerated at every start.
 *
 * Ready means more than a port: every broker is registered in the cluster metadata AND group coordination answers
 * (describing a group makes the broker create `__consumer_offsets` and load its coordinator), which is what the
 * first consumer of a test would otherwise wait for.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { assertPortsFree, writePidFile, type Component, type ComponentStatus, type StackContext } from './component.js';
import { kafkaHeap, kafkaLog4j2Properties, kafkaServerProperties, newKafkaClusterId } from './kafka-config.js';
import { kafkaModes, type KafkaMode, type KafkaNode, type StackLayout } from './layout.js';
import {
  findExecutable,
  isAlive,
  isListening,
  runLogged,
  snapshot,
  spawnDetached,
  stopProcesses,
  type ProcessInfo,
  type Snapshot,
} from './processes.js';
import { ComponentNotReady, seconds, waitUntilReady } from './readiness.js';

const logOf = (n: KafkaNode) => join(n.dir, 'kafka.log');
const configOf = (n: KafkaNode) => join(n.dir, 'server.properties');

function java(): string {
  const j = findExecutable('java');
  if (!j) throw new Error('kafka: java is not on PATH (npm run bootstrap installs a JRE)');
  return j;
}

function libsClasspath(layout: StackLayout): string {
  if (!existsSync(layout.kafkaLibs)) throw new Error(`kafka: no jars in ${layout.kafkaLibs}; run npm run bootstrap`);
  return join(layout.kafkaLibs, '*');
}

/** The process of a node: a JVM running kafka.Kafka on that node's server.properties. */
const nodeProcess = (s: Snapshot, n: KafkaNode): ProcessInfo | undefined =>
  s.processes.find((p) => p.cmdline.includes('kafka.Kafka') && p.cmdline.includes(configOf(n)));

const runningMode = (s: Snapshot, layout: StackLayout): KafkaMode | undefined =>
  kafkaModes.find((m) => layout.kafka.nodes(m).some((n) => nodeProcess(s, n)));

export const kafkaRunningMode = (layout: StackLayout, s: Snapshot = snapshot()) => runningMode(s, layout);

function clusterId(layout: StackLayout, mode: KafkaMode): string {
  const file = join(layout.kafka.modeDir(mode), 'cluster.id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = newKafkaClusterId();
  mkdirSync(layout.kafka.modeDir(mode), { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

const jvmLogging = (n: KafkaNode) => [
  `-Dlog4j2.configurationFile=${join(n.dir, 'log4j2.properties')}`,
  `-Dkafka.logs.dir=${n.dir}`,
];

/** Writes the node's configuration and formats its storage the first time. */
async function prepareNode(layout: StackLayout, mode: KafkaMode, n: KafkaNode): Promise<void> {
  const cluster = layout.kafka.nodes(mode);
  mkdirSync(join(n.dir, 'data'), { recursive: true });
  writeFileSync(configOf(n), kafkaServerProperties(n, cluster));
  writeFileSync(join(n.dir, 'log4j2.properties'), kafkaLog4j2Properties());
  if (existsSync(join(n.dir, 'data', 'meta.properties'))) return;
  const id = clusterId(layout, mode);
  writeFileSync(
    logOf(n),
    `---- ${new Date().toISOString()} infra/stack: formatting storage of node ${n.id} (cluster ${id})\n`,
    { flag: 'a' },
  );
  const code = await runLogged({
    cmd: java(),
    args: [
      ...jvmLogging(n),
      '-cp',
      libsClasspath(layout),
      'kafka.tools.StorageTool',
      'format',
      '-t',
      id,
      '-c',
      configOf(n),
    ],
    logFile: logOf(n),
    timeoutMs: 120_000,
  });
  if (code !== 0)
    throw new ComponentNotReady('kafka', `formatting the storage of node ${n.id} failed (exit ${code})`, logOf(n));
}

async function startNode(layout: StackLayout, mode: KafkaMode, n: KafkaNode): Promise<number> {
  await prepareNode(layout, mode, n);
  writeFileSync(logOf(n), `---- ${new Date().toISOString()} infra/stack: starting node ${n.id} of ${mode}\n`, {
    flag: 'a',
  });
  const pid = await spawnDetached({
    cmd: java(),
    args: [
      '-Xms256m',
      `-Xmx${kafkaHeap(mode)}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...jvmLogging(n),
      '-cp',
      libsClasspath(layout),
      'kafka.Kafka',
      configOf(n),
    ],
    logFile: logOf(n),
    cwd: n.dir,
  });
  writePidFile(n.dir, pid);
  return pid;
}

/** A Kafka client for the stack's own checks: quiet, failing fast (the caller retries). */
function probeClient(brokers: string[]) {
  return new Kafka({
    clientId: 'seatstream-stack',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2_000,
    requestTimeout: 10_000,
    retry: { retries: 1, initialRetryTime: 200 },
  });
}

/** Throws until every node is a registered broker and group coordination answers. */
export async function kafkaAnswers(brokers: string[], expectedIds: number[]): Promise<void> {
  const admin = probeClient(brokers).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const registered = new Set(cluster.brokers.map((b) => b.nodeId));
    const missing = expectedIds.filter((id) => !registered.has(id));
    if (missing.length) throw new Error(`broker(s) ${missing.join(', ')} not registered yet`);
    const { groups } = await admin.describeGroups([`seatstream-stack-readiness-${randomUUID()}`]);
    if (groups.length !== 1) throw new Error('group coordination does not answer yet');
  } finally {
    await admin.disconnect();
  }
}

const brokerList = (nodes: KafkaNode[]) => nodes.map((n) => `127.0.0.1:${n.port}`);

async function waitForKafka(nodes: KafkaNode[], pids: number[], timeoutMs: number, logFile: string): Promise<number> {
  return waitUntilReady({
    component: 'kafka',
    logFile,
    timeoutMs,
    intervalMs: 500,
    probe: () =>
      kafkaAnswers(
        brokerList(nodes),
        nodes.map((n) => n.id),
      ),
    alive: () => pids.every(isAlive),
  });
}

async function stopNodes(nodes: KafkaNode[], s: Snapshot, sig: NodeJS.Signals = 'SIGTERM'): Promise<string> {
  const pids = nodes.map((n) => nodeProcess(s, n)?.pid).filter((p): p is number => p !== undefined);
  // all at once: stopping controllers one by one would leave the last ones waiting for a quorum that is gone
  const how = await stopProcesses(pids, { sig, graceMs: 45_000 });
  return how === 'not running' ? 'not running' : `${how} (pids ${pids.join(', ')})`;
}

export function kafkaComponent(layout: StackLayout): Component {
  const allNodes = kafkaModes.flatMap((m) => layout.kafka.nodes(m));
  return {
    name: 'kafka',
    owns: (p) => p.cmdline.includes('kafka.Kafka') && allNodes.some((n) => p.cmdline.includes(configOf(n))),

    status(s: Snapshot, ctx: StackContext): ComponentStatus {
      const mode = runningMode(s, layout) ?? ctx.kafkaMode;
      const nodes = layout.kafka.nodes(mode);
      const procs = nodes.map((n) => nodeProcess(s, n));
      const up = nodes.filter((n, i) => procs[i] && isListening(s, n.port) && isListening(s, n.controllerPort));
      const running = procs.filter(Boolean).length;
      return {
        name: 'kafka',
        state:
          running === 0
            ? 'down'
            : up.length === nodes.length
              ? 'up'
              : running === nodes.length
                ? 'starting'
                : 'degraded',
        pids: procs.filter((p): p is ProcessInfo => p !== undefined).map((p) => p.pid),
        ports: nodes.flatMap((n) => [n.port, n.controllerPort]),
        dataDir: layout.kafka.modeDir(mode),
        logFile: logOf(nodes[0] as KafkaNode),
        detail: `${mode} broker${mode === 1 ? '' : 's'}${running && running < nodes.length ? `, ${running} running` : ''}`,
      };
    },

    async up(ctx: StackContext): Promise<string> {
      const mode = ctx.kafkaMode;
      let s = snapshot();
      const other = runningMode(s, layout);
      if (other !== undefined && other !== mode) {
        ctx.log(
          `kafka: switching from ${other} to ${mode} broker(s): stopping the ${other}-broker setup (its data stays in ${layout.kafka.modeDir(other)})`,
        );
        await stopNodes(layout.kafka.nodes(other), s);
        s = snapshot();
      }
      const nodes = layout.kafka.nodes(mode);
      const toStart = nodes.filter((n) => !nodeProcess(s, n));
      assertPortsFree(
        'kafka',
        toStart.flatMap((n) => [n.port, n.controllerPort]),
        s,
        () => false,
      );
      await Promise.all(toStart.map((n) => startNode(layout, mode, n)));
      const pids = nodes.map((n) => nodeProcess(snapshot(), n)?.pid).filter((p): p is number => p !== undefined);
      const took = await waitForKafka(
        nodes,
        pids,
        mode === 1 ? 90_000 : 150_000,
        logOf(toStart[0] ?? (nodes[0] as KafkaNode)),
      );
      const what = `${mode} broker${mode === 1 ? '' : 's'} on ${brokerList(nodes).join(',')}`;
      return toStart.length === 0
        ? `already running (${what}, pids ${pids.join(', ')})`
        : `started ${what} (pids ${pids.join(', ')}), ready in ${seconds(took)} (metadata and group coordinator answer)`;
    },

    async down(): Promise<string> {
      return `kafka: ${await stopNodes(allNodes, snapshot())}`;
    },
  };
}

/** Fault injection: stops one broker of the running Kafka (SIGKILL for a crash, SIGTERM for a controlled shutdown). */
export async function stopKafkaNode(
  layout: StackLayout,
  nodeId: number,
  sig: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const s = snapshot();
  const mode = runningMode(s, layout);
  if (mode === undefined) throw new Error('kafka is not running');
  const node = layout.kafka.nodes(mode).find((n) => n.id === nodeId);
  if (!node) throw new Error(`kafka has no node ${nodeId} in ${mode}-broker mode`);
  const proc = nodeProcess(s, node);
  if (!proc) throw new Error(`kafka node ${nodeId} is not running`);
  await stopProcesses([proc.pid], { sig, graceMs: 45_000 });
}

/** Fault injection: starts a stopped broker again and waits until it is registered and the cluster answers. */
export async function startKafkaNode(layout: StackLayout, nodeId: number): Promise<void> {
  const s = snapshot();
  const mode = runningMode(s, layout) ?? 3;
  const nodes = layout.kafka.nodes(mode);
  const node = nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`kafka has no node ${nodeId} in ${mode}-broker mode`);
  let pid = nodeProcess(s, node)?.pid;
  if (pid === undefined) {
    assertPortsFree('kafka', [node.port, node.controllerPort], s, () => false);
    pid = await startNode(layout, mode, node);
  }
  const alivePid = pid;
  await waitUntilReady({
    component: 'kafka',
    logFile: logOf(node),
    timeoutMs: 120_000,
    intervalMs: 500,
    probe: async () => {
      if (!isListening(snapshot(), node.port)) throw new Error(`node ${nodeId} does not listen on ${node.port} yet`);
      await kafkaAnswers(
        brokerList(nodes),
        nodes.map((n) => n.id),
      );
    },
    alive: () => isAlive(alivePid),
  });
}
