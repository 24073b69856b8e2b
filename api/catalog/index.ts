/**
 * The catalog area of the API, one plugin to register: organizers' venues and events (organizer-routes.ts), what
 * buyers read (public-routes.ts) and their own holds and bookings (me-routes.ts). It owns the catalog publisher
 * (Kafka producer and relay), started with the app and closed with it.
 */
import type { FastifyInstance } from 'fastify';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import type { ApiContext } from '../context.js';
import { loadCatalogConfig } from './config.js';
import { catalogMeRoutes } from './me-routes.js';
import { catalogOrganizerRoutes } from './organizer-routes.js';
import { catalogPublicRoutes } from './public-routes.js';
import { CatalogPublisher } from './publisher.js';
import { CatalogService } from './service.js';

export async function catalogRoutes(app: FastifyInstance, opts: { ctx: ApiContext; env?: NodeJS.ProcessEnv }) {
  const config = loadCatalogConfig(opts.env);
  const endpoints = loadEndpoints();
  const publisher = new CatalogPublisher({
    pool: opts.ctx.pool,
    log: logger('api.catalog'),
    brokers: kafkaBrokers(endpoints),
    registry: createRegistryClient(endpoints.schemaRegistry),
    relayIntervalMs: config.relayIntervalMs,
    sendTimeoutMs: config.publishTimeoutMs,
  });
  const service = new CatalogService(opts.ctx.pool, publisher);
  app.addHook('onReady', async () => publisher.start());
  app.addHook('onClose', async () => publisher.close());

  await app.register(catalogPublicRoutes);
  await app.register(catalogMeRoutes);
  await app.register(catalogOrganizerRoutes, { service, config });
}
