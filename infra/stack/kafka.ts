/**
 * Kafka in KRaft mode from the jars in .stack/kafka/libs: one node, or a cluster of three, each node broker and
 * controller. Storage is formatted on a node's first start; configuration is regenerated at every start.
 *
 * Ready means more than a port: every broker is registered in the cluster metadata AND group coordination answers
 * (describing a group makes the broker create `__consumer_offsets` and load its coordinator), which is what the
 * first consumer of a test would otherwise wait for, AND the partners' SASL listener is open.
 *
 * Every node also has the SASL listener and the authorizer of kafka-security.ts (SASL_SSL with `tls`). A node that
 * runs with another configuration than the one `up` would write now (an older version of this file, or the other
 * TLS choice) is restarted by `up`, one node after the other, each waited for: a quick switch that keeps the
 * internal PLAINTEXT listener and every port where they were.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { assertPortsFree, writePidFile, type Component, type ComponentStatus, type StackContext } from './component.js';
import { kafkaHeap, kafkaLog4j2Properties, kafkaServerProperties, newKafkaClusterId } from './kafka-config.js';
import { saslProtocolOf, type KafkaSecurity } from './kafka-security.js';
import { ensureBrokerTls } from './kafka-tls.js';
import { kafkaModes, kafkaSaslPort, type KafkaMode, type KafkaNode, type StackLayout } from './layout.js';
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

/** The security of the SASL listener: SASL_SSL with the stack's TLS material (made when missing), else SASL_PLAINTEXT. */
export async function kafkaSecurity(layout: StackLayout, tls: boolean): Promise<KafkaSecurity> {
  return tls ? { tls: await ensureBrokerTls(layout.kafka.tlsDir) } : {};
}

const readIf = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

const propertyMap = (text: string) =>
  new Map(
    text
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const),
  );

/**
 * The properties whose values differ between the configuration a node runs with and the one it would get now: their
 * names only (values may be secrets, the keystore password). Empty when the node runs with the wanted configuration.
 */
function configChanges(n: KafkaNode, cluster: KafkaNode[], security: KafkaSecurity): string[] {
  const running = propertyMap(readIf(configOf(n)) ?? '');
  const wanted = propertyMap(kafkaServerProperties(n, cluster, security));
  return [...new Set([...running.keys(), ...wanted.keys()])].filter((k) => running.get(k) !== wanted.get(k)).sort();
}

/** Writes the node's configuration and formats its storage the first time. */
async function prepareNode(layout: StackLayout, mode: KafkaMode, n: KafkaNode, security: KafkaSecurity): Promise<void> {
  const cluster = layout.kafka.nodes(mode);
  mkdirSync(join(n.dir, 'data'), { recursive: true });
  writeFileSync(configOf(n), kafkaServerProperties(n, cluster, security));
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

async function startNode(layout: StackLayout, mode: KafkaMode, n: KafkaNode, security: KafkaSecurity): Promise<number> {
  await prepareNode(layout, mode, n, security);
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

/** Throws until every node's SASL listener is open. */
function saslListening(nodes: KafkaNode[]): void {
  const s = snapshot();
  const closed = nodes.filter((n) => !isListening(s, kafkaSaslPort(n)));
  if (closed.length) throw new Error(`SASL listener of node(s) ${closed.map((n) => n.id).join(', ')} not open yet`);
}

async function waitForKafka(nodes: KafkaNode[], pids: number[], timeoutMs: number, logFile: string): Promise<number> {
  return waitUntilReady({
    component: 'kafka',
    logFile,
    timeoutMs,
    intervalMs: 500,
    probe: async () => {
      await kafkaAnswers(
        brokerList(nodes),
        nodes.map((n) => n.id),
      );
      saslListening(nodes);
    },
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
      const saslClosed = nodes.filter((n, i) => procs[i] && !isListening(s, kafkaSaslPort(n)));
      const sasl = running
        ? saslClosed.length
          ? `; SASL listener closed on node(s) ${saslClosed.map((n) => n.id).join(', ')} (stack:up restarts them)`
          : `; partners: ${ctx.kafkaTls ? 'SASL_SSL' : 'SASL_PLAINTEXT'} on ${nodes.map(kafkaSaslPort).join(',')}`
        : '';
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
        ports: nodes.flatMap((n) => [n.port, n.controllerPort, kafkaSaslPort(n)]),
        dataDir: layout.kafka.modeDir(mode),
        logFile: logOf(nodes[0] as KafkaNode),
        detail: `${mode} broker${mode === 1 ? '' : 's'}${running && running < nodes.length ? `, ${running} running` : ''}${sasl}`,
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
      const security = await kafkaSecurity(layout, ctx.kafkaTls ?? false);
      const restarted = await restartChangedNodes(layout, mode, security, ctx.log);
      s = snapshot();
      const toStart = nodes.filter((n) => !nodeProcess(s, n));
      assertPortsFree(
        'kafka',
        toStart.flatMap((n) => [n.port, n.controllerPort, kafkaSaslPort(n)]),
        s,
        () => false,
      );
      await Promise.all(toStart.map((n) => startNode(layout, mode, n, security)));
      const pids = nodes.map((n) => nodeProcess(snapshot(), n)?.pid).filter((p): p is number => p !== undefined);
      const took = await waitForKafka(
        nodes,
        pids,
        mode === 1 ? 90_000 : 150_000,
        logOf(toStart[0] ?? (nodes[0] as KafkaNode)),
      );
      const what = `${mode} broker${mode === 1 ? '' : 's'} on ${brokerList(nodes).join(',')}, SASL ${saslProtocolOf(security)} on ${nodes.map(kafkaSaslPort).join(',')}`;
      if (toStart.length > 0)
        return `started ${what} (pids ${pids.join(', ')}), ready in ${seconds(took)} (metadata and group coordinator answer)`;
      return restarted.length > 0
        ? `restarted node(s) ${restarted.join(', ')} with their new configuration (${what}, pids ${pids.join(', ')})`
        : `already running (${what}, pids ${pids.join(', ')})`;
    },

    async down(): Promise<string> {
      return `kafka: ${await stopNodes(allNodes, snapshot())}`;
    },
  };
}

/**
 * Restarts, one after the other, the running nodes of `mode` whose configuration is not the one they would get now,
 * each waited for (registered, coordinator answering, SASL open) before the next: on three nodes the cluster keeps
 * a quorum and min ISR. Resolves with the ids of the nodes restarted.
 */
async function restartChangedNodes(
  layout: StackLayout,
  mode: KafkaMode,
  security: KafkaSecurity,
  log: (line: string) => void,
): Promise<number[]> {
  const nodes = layout.kafka.nodes(mode);
  const s0 = snapshot();
  const running = nodes.filter((n) => nodeProcess(s0, n));
  const stale = running.filter((n) => configChanges(n, nodes, security).length > 0);
  if (stale.length > 0 && running.length < nodes.length) {
    // some nodes are down anyway: no rolling restart to wait for, the stale ones start again with the others
    log(`kafka: node(s) ${stale.map((n) => n.id).join(', ')} run with another configuration: stopping them`);
    await stopNodes(stale, s0);
    return [];
  }
  const restarted: number[] = [];
  for (const n of stale) {
    const s = snapshot();
    if (!nodeProcess(s, n)) continue;
    const changes = configChanges(n, nodes, security);
    if (changes.length === 0) continue;
    log(`kafka: node ${n.id} runs with another configuration (${changes.join(', ')}): restarting it`);
    await stopNodes([n], s);
    const pid = await startNode(layout, mode, n, security);
    const others = nodes.map((m) => nodeProcess(snapshot(), m)?.pid).filter((p): p is number => p !== undefined);
    await waitForKafka(nodes, [pid, ...others], mode === 1 ? 90_000 : 150_000, logOf(n));
    restarted.push(n.id);
  }
  return restarted;
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
export async function startKafkaNode(layout: StackLayout, nodeId: number, tls = false): Promise<void> {
  const s = snapshot();
  const mode = runningMode(s, layout) ?? 3;
  const nodes = layout.kafka.nodes(mode);
  const node = nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`kafka has no node ${nodeId} in ${mode}-broker mode`);
  let pid = nodeProcess(s, node)?.pid;
  if (pid === undefined) {
    assertPortsFree('kafka', [node.port, node.controllerPort, kafkaSaslPort(node)], s, () => false);
    pid = await startNode(layout, mode, node, await kafkaSecurity(layout, tls));
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
      saslListening([node]);
    },
    alive: () => isAlive(alivePid),
  });
}
