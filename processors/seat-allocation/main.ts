/**
 * The seat-allocation service (`npm run seat-allocation`): the allocator's topology on the stream
 * runtime, plus a small HTTP server on 127.0.0.1 (httpServer.ts). Settings: serviceConfig.ts (SEAT_ALLOCATION_*),
 * among them SEAT_ALLOCATION_AUTO_OFFSET_RESET (earliest|latest, default earliest): where the runtime starts on a
 * partition the application's group has no committed offset for. earliest decides every command in the log; latest
 * skips what came before the first start (a fresh group on topics that already hold old traffic, e.g. tests).
 *
 * Boot: lock the state directory, check the schema subjects (a missing or incompatible subject stops
 * the service: STYLE.md §6), listen, start the runtime. SIGTERM/SIGINT: stop listening, close the
 * runtime (in-flight batches commit, tasks close), exit 0; a second signal exits at once.
 */
import type { AddressInfo } from 'node:net';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { initTracing } from '../../infra/telemetry/tracing.js';
import { SubjectCheckError } from '../../schemas/errors.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { assertSubjects } from '../../schemas/subjects.js';
import { topics } from '../../topics/catalog.js';
import { StreamRuntime } from '../runtime/index.js';
import { createHttpServer } from './httpServer.js';
import { SeatAllocationMetrics } from './metrics.js';
import { serviceConfig } from './serviceConfig.js';
import { lockStateDir } from './stateLock.js';
import { seatAllocationTopology } from './topology.js';

async function main(): Promise<void> {
  const config = serviceConfig(process.env);
  const tracing = initTracing('seatstream-seat-allocation');
  const log = logger('seat-allocation', { applicationId: config.applicationId, instance: config.instanceId });
  const endpoints = loadEndpoints();
  const unlock = lockStateDir(config.stateDir);

  const registry = createRegistryClient(endpoints.schemaRegistry);
  await assertSubjects(
    [topics.catalogEvents, topics.reservationCommands, topics.reservationEvents, topics.eventAvailability],
    registry,
  );

  const metrics = new SeatAllocationMetrics();
  const topology = seatAllocationTopology({
    registry,
    expiryIntervalMs: config.expiryIntervalMs,
    maxCachedEvents: config.maxCachedEvents,
    metrics,
    log,
  });
  const runtime = new StreamRuntime(topology, {
    applicationId: config.applicationId,
    brokers: kafkaBrokers(endpoints),
    stateDir: config.stateDir,
    commitIntervalMs: config.commitIntervalMs,
    sessionTimeoutMs: config.sessionTimeoutMs,
    autoOffsetReset: config.autoOffsetReset,
    instanceId: config.instanceId,
    log: logger('runtime', { applicationId: config.applicationId, instance: config.instanceId }),
  });
  runtime.on('assigned', (partitions) => log.info({ partitions }, 'partitions assigned'));

  const server = createHttpServer({ runtime, extraMetrics: () => metrics.text(), log });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.httpPort, config.httpHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  log.info({ port, url: `http://${config.httpHost}:${port}` }, 'http listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close();
    server.closeAllConnections();
    runtime.close().then(
      async () => {
        unlock();
        await tracing.shutdown().catch(() => undefined);
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  await runtime.start();
  log.info({ stateDir: config.stateDir, commitIntervalMs: config.commitIntervalMs }, 'seat allocation running');
}

main().catch((err: unknown) => {
  const log = logger('seat-allocation');
  if (err instanceof SubjectCheckError)
    log.fatal({ problems: err.problems }, 'schema subjects are not as the catalog says');
  else log.fatal({ err }, 'seat allocation failed to start');
  process.exit(1);
});
