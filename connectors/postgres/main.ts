/**
 * `npm run sink:postgres`: the read-model sink service (sink.ts) against the endpoints of infra/config.ts, with its
 * settings from config.ts. Applies pending database migrations first (SINK_POSTGRES_MIGRATE=0 to skip) and refuses
 * to start when a source topic's value schema is not registered (`npm run schemas:check`). Serves GET /metrics
 * (Prometheus) and GET /health on 127.0.0.1. Stops gracefully on SIGTERM/SIGINT: the batch in flight is committed or
 * rolled back, the group is left, connections are closed; a hard deadline ends a stop that hangs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { initTracing } from '../../infra/telemetry/tracing.js';
import { migrate } from '../../api/db/migrate.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { assertSubjects } from '../../schemas/subjects.js';
import { createKafka } from '../kafka-source/kafka.js';
import { loadSinkConfig } from './config.js';
import { sourceSpecs } from './inputs.js';
import { createSinkMetrics } from './metrics.js';
import { createPostgresSink, type PostgresSink } from './sink.js';

const log = logger('sink.postgres');
const tracing = initTracing('seatstream-sink-postgres');

function serveHttp(registry: Registry, isUp: () => boolean, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(
        405,
        'application/json',
        JSON.stringify({ code: 'SS_ERR_METHOD_NOT_ALLOWED', message: `${req.method} is not allowed here` }),
      );
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        (err: unknown) => {
          log.error({ err }, 'metrics failed');
          send(500, 'application/json', JSON.stringify({ code: 'SS_ERR_INTERNAL', message: 'internal error' }));
        },
      );
      return;
    }
    if (path === '/health')
      return send(isUp() ? 200 : 503, 'application/json', JSON.stringify({ status: isUp() ? 'up' : 'down' }));
    send(404, 'application/json', JSON.stringify({ code: 'SS_ERR_NOT_FOUND', message: 'no such route' }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function main(): Promise<void> {
  const config = loadSinkConfig();
  const endpoints = loadEndpoints();
  if (config.migrate) await migrate(endpoints.postgres);
  const registryClient = createRegistryClient(endpoints.schemaRegistry);
  await assertSubjects(sourceSpecs, registryClient);

  const pool = new pg.Pool({
    connectionString: endpoints.postgres,
    max: 4,
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
    application_name: `seatstream-sink-postgres-${config.consumer}`,
  });
  pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL client failed'));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createSinkMetrics(registry);

  let up = false;
  const running: { sink?: PostgresSink; server?: Server } = {};
  let stopping = false;
  const stop = async (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    up = false;
    log.info({ why }, 'stopping');
    setTimeout(() => {
      log.error('stopping took too long, exiting');
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    try {
      await running.sink?.stop();
      await pool.end();
      await tracing.shutdown().catch(() => undefined);
      await new Promise<void>((resolve) => (running.server ? running.server.close(() => resolve()) : resolve()));
      process.exit(code);
    } catch (err) {
      log.error({ err }, 'stop failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  const server = await serveHttp(registry, () => up, config.httpHost, config.httpPort);
  running.server = server;
  const sink = createPostgresSink({
    pool,
    kafka: createKafka({ clientId: `seatstream-sink-postgres-${config.consumer}`, log }),
    registry: registryClient,
    consumer: config.consumer,
    groupId: config.groupId,
    log,
    metrics,
    sessionTimeoutMs: config.sessionTimeoutMs,
    maxBytesPerPartition: config.maxBytesPerPartition,
    onFatal: (err) => {
      log.fatal({ err }, 'the Kafka consumer gave up');
      void stop('consumer crash', 1);
    },
  });
  running.sink = sink;
  await sink.start();
  up = true;
  const address = server.address() as AddressInfo;
  log.info(
    { consumer: config.consumer, groupId: config.groupId, http: `http://${config.httpHost}:${address.port}` },
    'read-model sink running',
  );
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'read-model sink failed to start');
  process.exit(1);
});
