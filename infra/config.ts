/**
 * Where the platform's backing services are: the one place that knows.
 *
 * Every endpoint comes from an environment variable when it is set (deployments), otherwise from
 * `.stack/endpoints.json`, which `npm run stack:up` writes for the local stack, otherwise from the
 * local stack's default ports below.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const stackDir = process.env.SEATSTREAM_STACK_DIR ?? join(repoRoot, '.stack');

export interface Endpoints {
  /** Kafka bootstrap servers, comma-separated host:port. */
  kafka: string;
  schemaRegistry: string;
  postgres: string;
  redis: string;
  clickhouse: string;
}

/** Default ports of the local stack (chosen away from the usual ones, so a developer's own services do not clash). */
export const localPorts = {
  kafka: 19092,
  kafkaController: 19093,
  schemaRegistry: 18081,
  postgres: 15432,
  redis: 16379,
  clickhouseHttp: 18123,
  clickhouseTcp: 19000,
  api: 8080,
} as const;

export const defaultEndpoints: Endpoints = {
  kafka: `127.0.0.1:${localPorts.kafka}`,
  schemaRegistry: `http://127.0.0.1:${localPorts.schemaRegistry}`,
  postgres: `postgres://seatstream@127.0.0.1:${localPorts.postgres}/seatstream`,
  redis: `redis://127.0.0.1:${localPorts.redis}`,
  clickhouse: `http://127.0.0.1:${localPorts.clickhouseHttp}`,
};

const envNames: Record<keyof Endpoints, string> = {
  kafka: 'KAFKA_BROKERS',
  schemaRegistry: 'SCHEMA_REGISTRY_URL',
  postgres: 'DATABASE_URL',
  redis: 'REDIS_URL',
  clickhouse: 'CLICKHOUSE_URL',
};

export const endpointsFile = () => join(stackDir, 'endpoints.json');

export function loadEndpoints(): Endpoints {
  const file = endpointsFile();
  const fromFile: Partial<Endpoints> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Endpoints>)
    : {};
  const out = { ...defaultEndpoints, ...fromFile };
  for (const key of Object.keys(envNames) as (keyof Endpoints)[]) {
    const v = process.env[envNames[key]];
    if (v) out[key] = v;
  }
  return out;
}

export const kafkaBrokers = (e: Endpoints = loadEndpoints()): string[] =>
  e.kafka
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
