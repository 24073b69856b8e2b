/**
 * The schema registry service: `node --import tsx schemas/registry/main.ts`.
 *
 * Environment:
 * - SCHEMA_REGISTRY_PORT  HTTP port (default: the local stack's, localPorts.schemaRegistry)
 * - SCHEMA_REGISTRY_HOST  bind address (default SEATSTREAM_HTTP_HOST, else 127.0.0.1: infra/http-host.ts)
 * - KAFKA_BROKERS         bootstrap servers, comma-separated (default: loadEndpoints().kafka)
 * - SCHEMA_REGISTRY_TOPIC log topic (default `_schemas`)
 * - LOG_LEVEL, LOG_PRETTY as in infra/log.ts
 *
 * Ready when `GET /subjects` answers 200 (503 while the log is read). SIGTERM/SIGINT stop it cleanly.
 */
import { kafkaBrokers, loadEndpoints, localPorts } from '../../infra/config.js';
import { httpHost } from '../../infra/http-host.js';
import { logger } from '../../infra/log.js';
import { createRegistryServer, DEFAULT_SCHEMAS_TOPIC } from './server.js';

const log = logger('schema-registry');

const port = Number(process.env.SCHEMA_REGISTRY_PORT ?? localPorts.schemaRegistry);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  log.fatal({ port: process.env.SCHEMA_REGISTRY_PORT }, 'SCHEMA_REGISTRY_PORT is not a port number');
  process.exit(2);
}
const server = createRegistryServer({
  brokers: kafkaBrokers(loadEndpoints()), // KAFKA_BROKERS wins inside loadEndpoints
  topic: process.env.SCHEMA_REGISTRY_TOPIC || DEFAULT_SCHEMAS_TOPIC,
  host: process.env.SCHEMA_REGISTRY_HOST || httpHost(),
  port,
  log,
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  const force = setTimeout(() => {
    log.error('did not stop within 15 s; exiting');
    process.exit(1);
  }, 15_000);
  force.unref();
  server.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      log.error({ err }, 'error while stopping');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

try {
  await server.start();
} catch (err) {
  log.fatal({ err }, 'schema registry failed to start');
  await server.stop().catch(() => undefined);
  process.exit(1);
}
