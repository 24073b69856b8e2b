/**
 * The payment saga service (`npm run payments`): the saga's topology on the stream runtime.
 *
 *   PAYMENTS_APPLICATION_ID            application id (default payments; tests use a random one)
 *   PAYMENTS_INSTANCE_ID               this instance's name (default: host name)
 *   PAYMENTS_STATE_DIR                 RocksDB stores (default .stack/state/payments/<instance id>)
 *   PAYMENTS_COMMIT_INTERVAL_MS        (default 100)
 *   PAYMENTS_TICK_MS                   how often due provider calls are looked for (default 100)
 *   PAYMENTS_ALLOCATOR_APPLICATION_ID  whose reservation decisions are trusted (default seat-allocation)
 *   PAYMENTS_AUTO_OFFSET_RESET         where a new application starts: earliest (default) or latest
 *   PAYMENTS_PAUSE_AFTER               test fault: hang after this provider step succeeded (authorise, capture…)
 *   provider settings: provider/from-env.ts
 *
 * Prints `{"event":…}` lines (started, assigned, taskOpened) on stdout for the process-level tests; SIGTERM closes
 * the runtime gracefully.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { kafkaBrokers, loadEndpoints, stackDir } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { assertSubjects } from '../../schemas/subjects.js';
import { topics } from '../../topics/catalog.js';
import { StreamRuntime } from '../runtime/index.js';
import type { PaymentStep } from './provider/provider.js';
import { providersFromEnv } from './provider/from-env.js';
import { APPLICATION_ID, paymentsTopology } from './topology.js';

const env = process.env;
const emit = (event: string, data: object = {}) =>
  process.stdout.write(`${JSON.stringify({ event, pid: process.pid, ...data })}\n`);

async function main(): Promise<void> {
  const applicationId = env.PAYMENTS_APPLICATION_ID || APPLICATION_ID;
  const instanceId = env.PAYMENTS_INSTANCE_ID || hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'local';
  const log = logger('payments', { applicationId, instance: instanceId });
  const endpoints = loadEndpoints();
  const registry = createRegistryClient(endpoints.schemaRegistry);
  await assertSubjects(
    [topics.reservationEvents, topics.reservationCommands, topics.paymentRequests, topics.paymentResults],
    registry,
  );
  const providers = providersFromEnv(env);
  for (const [name, p] of providers)
    p.onStateChange((state) => log.warn({ provider: name, state }, 'circuit state changed'));
  if (providers.size === 0)
    log.warn('no payment provider is configured (PAYMENTS_SANDBOX_URL, PAYMENTS_STRIPE_SECRET_KEY)');
  const topology = paymentsTopology({
    registry,
    providers,
    allocatorApplicationId: env.PAYMENTS_ALLOCATOR_APPLICATION_ID || 'seat-allocation',
    tickMs: Number(env.PAYMENTS_TICK_MS || 100),
    ...(env.PAYMENTS_PAUSE_AFTER ? { pauseAfter: env.PAYMENTS_PAUSE_AFTER as PaymentStep } : {}),
    log,
  });
  const runtime = new StreamRuntime(topology, {
    applicationId,
    brokers: kafkaBrokers(endpoints),
    stateDir: env.PAYMENTS_STATE_DIR || join(stackDir, 'state', 'payments', instanceId),
    commitIntervalMs: Number(env.PAYMENTS_COMMIT_INTERVAL_MS || 100),
    ...(env.PAYMENTS_SESSION_TIMEOUT_MS ? { sessionTimeoutMs: Number(env.PAYMENTS_SESSION_TIMEOUT_MS) } : {}),
    instanceId,
    autoOffsetReset: env.PAYMENTS_AUTO_OFFSET_RESET === 'latest' ? 'latest' : 'earliest',
    handleSignals: true,
    log: logger('runtime', { applicationId, instance: instanceId }),
  });
  runtime.on('assigned', (partitions) => emit('assigned', { partitions }));
  runtime.on('taskOpened', (e) => emit('taskOpened', e));
  await runtime.start();
  emit('started');
  log.info({ providers: [...providers.keys()] }, 'payment saga running');
}

main().catch((err: unknown) => {
  logger('payments').fatal({ err }, 'payment saga failed to start');
  emit('failed', { error: String(err) });
  process.exit(1);
});
