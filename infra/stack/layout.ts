/**
 * Where each part of the local stack lives: directories under the stack directory, and ports.
 *
 * Pure: computing a layout touches nothing. Ports come from `localPorts` (infra/config.ts) shifted by a port offset,
 * which is 0 for the developer's stack and something else for a second stack on the same machine (the stack's own
 * integration tests). Kafka's 3-broker cluster puts broker n on `localPorts.kafka + 100·(n-1)`, its controller on the
 * port after it.
 */
import { join } from 'node:path';
import { localPorts, repoRoot, stackDir as configuredStackDir, type Endpoints } from '../config.js';
import { saslMechanism, type SaslProtocol } from './kafka-security.js';
import { tlsFiles } from './kafka-tls.js';

export const componentNames = ['kafka', 'schemaRegistry', 'postgres', 'redis', 'clickhouse'] as const;
export type ComponentName = (typeof componentNames)[number];

/** Number of Kafka nodes (each one broker and KRaft controller). */
export type KafkaMode = 1 | 3;
export const kafkaModes: readonly KafkaMode[] = [1, 3];

export interface KafkaNode {
  id: number;
  port: number;
  controllerPort: number;
  /** server.properties, log4j2.properties, kafka.log, data/ */
  dir: string;
}

export interface StackLayout {
  dir: string;
  portOffset: number;
  /** Kafka jars installed by the bootstrap: an installation of the repository, not state of this stack. */
  kafkaLibs: string;
  stateFile: string;
  endpointsFile: string;
  lockDir: string;
  kafka: {
    /** One directory per mode: switching between 1 and 3 brokers never reuses the other mode's data. */
    modeDir: (mode: KafkaMode) => string;
    /** TLS key material of the SASL_SSL listener (`--tls`), shared by both modes (kafka-tls.ts). */
    tlsDir: string;
    nodes: (mode: KafkaMode) => KafkaNode[];
  };
  schemaRegistry: { port: number; dir: string; logFile: string };
  postgres: { port: number; dir: string; dataDir: string; logFile: string };
  redis: { port: number; dir: string; dataDir: string; configFile: string; logFile: string };
  clickhouse: {
    httpPort: number;
    tcpPort: number;
    dir: string;
    dataDir: string;
    configFile: string;
    usersFile: string;
    logDir: string;
    logFile: string;
    stdoutFile: string;
  };
}

export const kafkaBrokerPortStep = 100;

/** A node's SASL listener (partners, kafka-security.ts): its broker port + 2, the controller having + 1. */
export const kafkaSaslPort = (node: Pick<KafkaNode, 'port'>): number => node.port + 2;

export function stackLayout(dir: string = configuredStackDir, portOffset = 0): StackLayout {
  const at = (...p: string[]) => join(dir, ...p);
  const modeDir = (mode: KafkaMode) => at('kafka', mode === 1 ? 'single' : 'cluster');
  return {
    dir,
    portOffset,
    kafkaLibs: join(repoRoot, '.stack', 'kafka', 'libs'),
    stateFile: at('stack.json'),
    endpointsFile: at('endpoints.json'),
    lockDir: at('stack.lock'),
    kafka: {
      modeDir,
      tlsDir: at('kafka', 'tls'),
      nodes: (mode) =>
        Array.from({ length: mode }, (_, i) => ({
          id: i + 1,
          port: localPorts.kafka + kafkaBrokerPortStep * i + portOffset,
          controllerPort: localPorts.kafkaController + kafkaBrokerPortStep * i + portOffset,
          dir: join(modeDir(mode), `node-${i + 1}`),
        })),
    },
    schemaRegistry: {
      port: localPorts.schemaRegistry + portOffset,
      dir: at('schema-registry'),
      logFile: at('schema-registry', 'registry.log'),
    },
    postgres: {
      port: localPorts.postgres + portOffset,
      dir: at('postgres'),
      dataDir: at('postgres', 'data'),
      logFile: at('postgres', 'postgres.log'),
    },
    redis: {
      port: localPorts.redis + portOffset,
      dir: at('redis'),
      dataDir: at('redis', 'data'),
      configFile: at('redis', 'redis.conf'),
      logFile: at('redis', 'redis.log'),
    },
    clickhouse: {
      httpPort: localPorts.clickhouseHttp + portOffset,
      tcpPort: localPorts.clickhouseTcp + portOffset,
      dir: at('clickhouse'),
      dataDir: at('clickhouse', 'data'),
      configFile: at('clickhouse', 'config.xml'),
      usersFile: at('clickhouse', 'users.xml'),
      logDir: at('clickhouse', 'log'),
      logFile: at('clickhouse', 'log', 'clickhouse-server.log'),
      stdoutFile: at('clickhouse', 'log', 'stdout.log'),
    },
  };
}

/** The ports a component listens on (Kafka: those of the given mode). */
export function componentPorts(layout: StackLayout, name: ComponentName, mode: KafkaMode = 1): number[] {
  switch (name) {
    case 'kafka':
      return layout.kafka.nodes(mode).flatMap((n) => [n.port, n.controllerPort, kafkaSaslPort(n)]);
    case 'schemaRegistry':
      return [layout.schemaRegistry.port];
    case 'postgres':
      return [layout.postgres.port];
    case 'redis':
      return [layout.redis.port];
    case 'clickhouse':
      return [layout.clickhouse.httpPort, layout.clickhouse.tcpPort];
    default: {
      const _: never = name;
      return _;
    }
  }
}

/** Every port the stack may listen on, in either Kafka mode: none may be left listening after `down`. */
export function allStackPorts(layout: StackLayout): number[] {
  const ports = new Set<number>();
  for (const name of componentNames)
    for (const mode of kafkaModes) for (const p of componentPorts(layout, name, mode)) ports.add(p);
  return [...ports].sort((a, b) => a - b);
}

export function endpointsOf(layout: StackLayout, mode: KafkaMode): Endpoints {
  return {
    kafka: layout.kafka
      .nodes(mode)
      .map((n) => `127.0.0.1:${n.port}`)
      .join(','),
    schemaRegistry: `http://127.0.0.1:${layout.schemaRegistry.port}`,
    postgres: `postgres://seatstream@127.0.0.1:${layout.postgres.port}/seatstream`,
    redis: `redis://127.0.0.1:${layout.redis.port}`,
    clickhouse: `http://127.0.0.1:${layout.clickhouse.httpPort}`,
  };
}

/**
 * What `up` writes to endpoints.json and `status` reports: infra/config.ts's endpoints, plus the SASL listener of
 * the partners (kafka-security.ts). loadEndpoints() passes these extra keys through.
 */
export interface StackEndpoints extends Endpoints {
  /** Bootstrap servers of the SASL listener, comma-separated host:port. */
  kafkaSasl: string;
  kafkaSaslProtocol: SaslProtocol;
  kafkaSaslMechanism: typeof saslMechanism;
  /** With SASL_SSL (`--tls`): the CA certificate (PEM file) clients trust. */
  kafkaSaslCa?: string;
}

export function stackEndpointsOf(layout: StackLayout, mode: KafkaMode, tls: boolean): StackEndpoints {
  return {
    ...endpointsOf(layout, mode),
    kafkaSasl: layout.kafka
      .nodes(mode)
      .map((n) => `127.0.0.1:${kafkaSaslPort(n)}`)
      .join(','),
    kafkaSaslProtocol: tls ? 'SASL_SSL' : 'SASL_PLAINTEXT',
    kafkaSaslMechanism: saslMechanism,
    ...(tls ? { kafkaSaslCa: tlsFiles(layout.kafka.tlsDir).caCert } : {}),
  };
}

export function parseComponentList(list: string): ComponentName[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(componentNames as readonly string[]).includes(n));
  if (unknown.length)
    throw new Error(`unknown component(s) ${unknown.join(', ')}; known: ${componentNames.join(', ')}`);
  return componentNames.filter((n) => names.includes(n));
}
