/**
 * `npm run push-router`: the push router service (router.ts) against the endpoints of infra/config.ts, with its
 * settings from config.ts. Refuses to start when a source topic's value schema is not registered
 * (`npm run schemas:check`). Serves GET /metrics (Prometheus) and GET /health on 127.0.0.1. Stops on SIGTERM/SIGINT:
 * leaves the group (its partitions move to the other instances at once), closes Redis, exits 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { assertSubjects } from '../../schemas/subjects.js';
import { topics } from '../../topics/catalog.js';
import { createKafka } from '../kafka-source/kafka.js';
import { channelsFor } from './channels.js';
import { loadPushRouterConfig } from './config.js';
import { PushRouterMetrics } from './metrics.js';
import { PushRouter } from './router.js';

const log = logger('push-router');

function serveHttp(metrics: PushRouterMetrics, isUp: () => boolean, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => send(200, metrics.registry.contentType, text),
        () => send(500, 'application/json', JSON.stringify({ code: 'SS_ERR_INTERNAL', message: 'internal error' })),
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
  const config = loadPushRouterConfig();
  const endpoints = loadEndpoints();
  const registry = createRegistryClient(endpoints.schemaRegistry);
  await assertSubjects([topics.reservationEvents, topics.eventAvailability], registry);

  const redis = new Redis(endpoints.redis, { connectionName: 'seatstream-push-router', maxRetriesPerRequest: 3 });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'Redis connection error'));
  const metrics = new PushRouterMetrics();
  const router = new PushRouter({
    kafka: createKafka({ clientId: 'seatstream-push-router', log }),
    redis,
    registry,
    channels: channelsFor(config.channelPrefix),
    groupId: config.groupId,
    maxAgeMs: config.maxAgeMs,
    originApplicationId: config.originApplicationId,
    partitionsConsumedConcurrently: config.concurrency,
    sessionTimeoutMs: config.sessionTimeoutMs,
    log,
    metrics,
  });
  let up = false;
  const server = await serveHttp(metrics, () => up, config.httpHost, config.httpPort);
  const { port } = server.address() as AddressInfo;
  log.info({ url: `http://${config.httpHost}:${port}` }, 'http listening');

  let stopping = false;
  const stop = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    up = false;
    log.info({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), 15_000).unref();
    server.close();
    server.closeAllConnections();
    await router.stop().catch((err: unknown) => log.warn({ err }, 'consumer did not stop cleanly'));
    await redis.quit().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await router.start((err) => {
    log.fatal({ err }, 'the consumer gave up: exiting (to be restarted)');
    void stop('crash', 1);
  });
  up = true;
  log.info({ groupId: config.groupId, channelPrefix: config.channelPrefix }, 'push router running');
}

main().catch((err: unknown) => {
  log.fatal({ err }, 'push router failed to start');
  process.exit(1);
});
