/**
 * The notifications service (`npm run notifications`): the notifier on the stream runtime, and delivery to the
 * inbox, WebSocket push (Redis) and e-mail (SMTP).
 *
 *   NOTIFICATIONS_APPLICATION_ID        application id (default notifications)
 *   NOTIFICATIONS_INSTANCE_ID           instance name (default host name)
 *   NOTIFICATIONS_STATE_DIR             RocksDB stores (default .stack/state/notifications/<instance id>)
 *   NOTIFICATIONS_ALLOCATOR_APPLICATION_ID  whose reservation decisions are trusted (default seat-allocation)
 *   NOTIFICATIONS_WARN_BEFORE_MS        hold-expiry warning lead (default 120000)
 *   NOTIFICATIONS_DELIVERY_GROUP        delivery consumer group (default notification-delivery)
 *   SMTP_URL                            e.g. smtp://127.0.0.1:2525 (default smtp://127.0.0.1:25)
 *   NOTIFICATIONS_MAIL_FROM             sender (default "SeatStream <no-reply@seatstream.local>")
 *   PUSH_CHANNEL_PREFIX                 Redis channel prefix shared with the push gateway
 *   PII keys: api/secrets.ts (to read e-mail addresses)
 *
 * Prints `{"event":"started"}` once running; SIGTERM stops it.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { kafkaBrokers, loadEndpoints, stackDir } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { findUserById, toAccount } from '../../api/accounts/users.js';
import { createRedis } from '../../api/redis.js';
import { loadSecrets } from '../../api/secrets.js';
import { channelPrefixFrom } from '../../connectors/push-router/channels.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { assertSubjects } from '../../schemas/subjects.js';
import { topics } from '../../topics/catalog.js';
import { StreamRuntime } from '../runtime/index.js';
import { NotificationDelivery } from './delivery.js';
import { pgDirectory } from './directory.js';
import { APPLICATION_ID, notifierTopology } from './topology.js';

const env = process.env;
const applicationId = env.NOTIFICATIONS_APPLICATION_ID || APPLICATION_ID;
const instanceId = env.NOTIFICATIONS_INSTANCE_ID || hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'local';
const log = logger('notifications', { applicationId, instance: instanceId });
const endpoints = loadEndpoints();
const registry = createRegistryClient(endpoints.schemaRegistry);
await assertSubjects(
  [topics.paymentResults, topics.reservationEvents, topics.catalogEvents, topics.notifications],
  registry,
);
const pool = new pg.Pool({ connectionString: endpoints.postgres, max: 4 });
const redis = createRedis(endpoints.redis);
const { pii } = await loadSecrets(env);
const runtime = new StreamRuntime(
  notifierTopology({
    registry,
    directory: pgDirectory(pool),
    allocatorApplicationId: env.NOTIFICATIONS_ALLOCATOR_APPLICATION_ID || 'seat-allocation',
    ...(env.NOTIFICATIONS_WARN_BEFORE_MS ? { warnBeforeMs: Number(env.NOTIFICATIONS_WARN_BEFORE_MS) } : {}),
  }),
  {
    applicationId,
    brokers: kafkaBrokers(endpoints),
    stateDir: env.NOTIFICATIONS_STATE_DIR || join(stackDir, 'state', 'notifications', instanceId),
    instanceId,
    // A new notifier starts from now: telling users about the past would be noise.
    autoOffsetReset: 'latest',
    log: logger('runtime', { applicationId, instance: instanceId }),
  },
);
const delivery = new NotificationDelivery({
  brokers: kafkaBrokers(endpoints),
  groupId: env.NOTIFICATIONS_DELIVERY_GROUP || 'notification-delivery',
  pool,
  redis,
  channelPrefix: channelPrefixFrom(env),
  mailer: nodemailer.createTransport(env.SMTP_URL || 'smtp://127.0.0.1:25'),
  from: env.NOTIFICATIONS_MAIL_FROM || 'SeatStream <no-reply@seatstream.local>',
  emailOf: async (userId) => {
    const row = await findUserById(pool, userId).catch(() => null);
    try {
      return row ? toAccount(pii, row).email : null;
    } catch {
      return null; // erased
    }
  },
  registry,
  log,
});
await runtime.start();
await delivery.start();
process.stdout.write(`${JSON.stringify({ event: 'started', pid: process.pid })}\n`);
let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  void Promise.allSettled([delivery.stop(), runtime.close()])
    .then(() => Promise.allSettled([pool.end(), redis.quit()]))
    .then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
