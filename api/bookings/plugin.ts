/**
 * Bookings and live push on one API replica: builds what they share (the replica's Redis subscriber hub, the
 * command producer, the decision waiter, the request registry, the WebSocket gateway) and registers their routes.
 * Kafka, the schema registry and the Redis subscriber connection are reached at first use, so an API that serves
 * no booking never connects to them.
 */
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { channelsFor } from '../../connectors/push-router/channels.js';
import { createKafka } from '../../connectors/kafka-source/kafka.js';
import { createRegistryClient, type RegistryClient } from '../../schemas/registry-client.js';
import type { ApiContext } from '../context.js';
import { ChannelHub } from '../push/channel-hub.js';
import { PushGateway, pushRoutes } from '../push/gateway.js';
import { LiveMetrics } from '../push/metrics.js';
import { CommandProducer } from './command-producer.js';
import { loadBookingsConfig, type BookingsConfig, type PushConfig } from './config.js';
import { DecisionWaiter } from './decision-waiter.js';
import { RequestRegistry } from './request-registry.js';
import { bookingRoutes } from './routes.js';
import { BookingService } from './service.js';

/** What tests (and embedders) may set instead of the environment. */
export interface BookingsOptions {
  config?: Partial<Omit<BookingsConfig, 'push'>> & { push?: Partial<PushConfig> };
  kafka?: Kafka;
  registry?: RegistryClient;
}

const once = <T>(make: () => T): (() => T) => {
  let made: { value: T } | null = null;
  return () => (made ??= { value: make() }).value;
};

export async function bookingsPlugin(app: FastifyInstance, opts: { ctx: ApiContext; options?: BookingsOptions }) {
  const { ctx, options = {} } = opts;
  const base = loadBookingsConfig();
  const config: BookingsConfig = { ...base, ...options.config, push: { ...base.push, ...options.config?.push } };
  const log = logger('api.live', { replicaId: config.replicaId });
  const channels = channelsFor(config.channelPrefix);

  const hub = new ChannelHub(() => {
    const sub = ctx.redis.duplicate({ connectionName: `seatstream-api-sub-${config.replicaId}` });
    sub.on('error', (err: Error) => log.warn({ err: err.message }, 'Redis subscriber connection error'));
    return sub;
  }, log);
  const producer = new CommandProducer({
    kafka: once(() => options.kafka ?? createKafka({ clientId: `seatstream-api-${config.replicaId}`, log })),
    registry: once(() => options.registry ?? createRegistryClient(loadEndpoints().schemaRegistry)),
    replicaId: config.replicaId,
    timeoutMs: config.produceTimeoutMs,
    log,
  });
  const waiter = new DecisionWaiter(hub, channels, config.replicaId, config.replyChannel, log);
  let gateway: PushGateway | null = null;
  const metrics = new LiveMetrics(app.metrics, {
    connections: () => gateway?.connectionCount ?? 0,
    channels: () => hub.channelCount,
  });
  gateway = new PushGateway({ ctx, hub, channels, config: config.push, log, metrics });
  const service = new BookingService({
    ctx,
    producer,
    waiter,
    registry: new RequestRegistry(ctx.redis, ctx.config.redisKeyPrefix),
    decisionWaitMs: config.decisionWaitMs,
  });

  await app.register(bookingRoutes, { service, metrics });
  await app.register(pushRoutes, { gateway, ctx });

  const g = gateway;
  app.addHook('preClose', async () => {
    await g.close();
  });
  app.addHook('onClose', async () => {
    await producer.close();
    await hub.close();
  });
  log.debug(
    { replyChannel: config.replyChannel, decisionWaitMs: config.decisionWaitMs },
    'bookings and live push ready',
  );
}
