/**
 * `buildApp(deps)`: the Fastify instance of the API. Cross-cutting parts first (errors, request ids,
 * metrics, security headers, CORS, OpenAPI), then one plugin per area. The app does not own the
 * PostgreSQL pool or the Redis client: whoever created them closes them (main.ts, tests).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import websocket from '@fastify/websocket';
import type { Registry } from 'prom-client';
import { logger as componentLogger, type Logger } from '../infra/log.js';
import type { ApiConfig } from './config.js';
import { createContext, type ApiContext } from './context.js';
import { ApiError } from './errors.js';
import type { Pool } from './db/pool.js';
import type { Redis } from './redis.js';
import type { ApiSecrets } from './secrets.js';
import { accountSchemas } from './accounts/schemas.js';
import { accountRoutes } from './accounts/routes.js';
import { adminRoutes } from './admin/routes.js';
import { guardPlugin } from './auth/guard.js';
import { authRoutes } from './auth/routes.js';
import { authSchemas } from './auth/schemas.js';
import { bookingsPlugin, type BookingsOptions } from './bookings/plugin.js';
import { catalogRoutes } from './catalog/index.js';
import { checkoutPlugin, createCheckoutDeps, type CheckoutDeps } from './checkout/plugin.js';
import { docsPlugin } from './http/docs.js';
import { errorHandlerPlugin, sendError } from './http/error-handler.js';
import { flagsPlugin } from './http/flags.js';
import { healthRoutes } from './http/health.js';
import { metricsPlugin } from './http/metrics.js';
import { tracingPlugin } from './http/tracing.js';
import { notificationRoutes } from './notifications/routes.js';
import { genReqId, requestIdPlugin } from './http/request-id.js';
import { nulBytesPlugin } from './http/nul-bytes.js';
import { sharedSchemas } from './http/schemas.js';
import { buildValidatorFactory } from './http/validation.js';
import { analyticsDashboards, type AnalyticsPluginOptions } from '../dashboards/plugin.js';
import { organizerRoutes } from './organizer/routes.js';
import { partnerRoutes } from './partners/routes.js';
import { streamTokenRoutes } from './streaming/routes.js';
import { websocketOptions } from './push/gateway.js';
import { webPlugin } from './web/plugin.js';

export interface AppDeps {
  config: ApiConfig;
  pool: Pool;
  redis: Redis;
  secrets: ApiSecrets;
  /** Base logger; defaults to infra/log.ts's `api` component. Secrets are redacted on top of it. */
  logger?: Logger;
  /** Metrics registry; defaults to a new one with the process's default metrics. */
  metrics?: Registry;
  now?: () => Date;
  /** Bookings and live push: replica id, decision wait, Kafka client... (default: from the environment). */
  bookings?: BookingsOptions;
  /** Checkout, webhooks, tickets and check-in: providers, ticket key, publisher (default: from the environment). */
  checkout?: CheckoutDeps;
  /** The analytics dashboards' ClickHouse (default: a client of its own on CLICKHOUSE_URL / CLICKHOUSE_DATABASE). */
  analytics?: AnalyticsPluginOptions;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: ApiContext;
  }
}

/** Log paths that may carry secrets, censored in every API log line. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  ...['password', 'accessToken', 'refreshToken', 'mfaToken', 'secret', 'token', 'recoveryCodes', 'otpauthUri'].flatMap(
    (k) => [k, `*.${k}`, `*.*.${k}`],
  ),
];

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const log = (deps.logger ?? componentLogger('api')).child(
    {},
    { redact: { paths: redactPaths, censor: '[redacted]' } },
  );
  const ctx = await createContext(deps);

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 256, ignoreTrailingSlash: false },
    schemaController: { compilersFactory: { buildValidator: buildValidatorFactory() } },
    // Errors raised before routing (a malformed URL) get the same `{code, message}` answer.
    frameworkErrors: (err, req, reply) => sendError(err, req, reply),
  });
  app.decorate('ctx', ctx);
  // Graceful shutdown: once closing, every answer (in-flight ones included) ends its keep-alive
  // connection, so the server's close() does not wait for idle sockets until their timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  // JSON only: a text/plain body is a 415, not a string handed to the validator.
  app.removeContentTypeParser('text/plain');
  const declared = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs') || route.url === '*') return;
    // A route that declares no query parameters refuses any (`?debug=1` is a 400, not silently ignored).
    route.schema ??= {};
    route.schema.querystring ??= { type: 'object', additionalProperties: false, properties: {} };
    const methods = declared.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) methods.add(m);
    declared.set(route.url, methods);
  });
  for (const s of [...sharedSchemas, ...authSchemas, ...accountSchemas]) app.addSchema(s);

  await app.register(errorHandlerPlugin);
  await app.register(tracingPlugin);
  await app.register(requestIdPlugin);
  await app.register(nulBytesPlugin);
  await app.register(metricsPlugin, { registry: deps.metrics });
  // No upgrade-insecure-requests: behind TLS it changes nothing, on a plain-HTTP dev port it breaks /docs.
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  await app.register(cors, {
    origin: config.corsOrigins.length ? config.corsOrigins : false,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'idempotency-key', 'traceparent'],
    exposedHeaders: ['x-request-id', 'retry-after', 'location', 'traceparent'],
    maxAge: 600,
  });
  // Before every route: WebSocket upgrades go through the router (GET /v1/ws, api/push/).
  await app.register(websocket, websocketOptions);
  await app.register(docsPlugin);
  await app.register(guardPlugin, { ctx });
  await app.register(flagsPlugin, { ctx });

  await app.register(healthRoutes, { ctx });
  await app.register(authRoutes, { ctx });
  await app.register(accountRoutes, { ctx });
  await app.register(organizerRoutes, { ctx });
  await app.register(catalogRoutes, { ctx });
  await app.register(adminRoutes, { ctx });
  await app.register(partnerRoutes, { ctx });
  await app.register(bookingsPlugin, { ctx, options: deps.bookings });
  await app.register(checkoutPlugin, { ctx, checkout: deps.checkout ?? createCheckoutDeps() });
  await app.register(notificationRoutes, { ctx });
  await app.register(streamTokenRoutes, { ctx, jwtKeys: deps.secrets.jwtKeys });
  await app.register(analyticsDashboards, deps.analytics ?? {});
  // The buyer's page (api/web/public) at `/`: static files of this origin, which the CSP allows.
  await app.register(webPlugin);
  methodNotAllowedRoutes(app, declared);
  return app;
}

/** Methods answered 405 on a known path (OPTIONS stays with CORS preflight). */
const otherMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'QUERY'];

/** A known path asked with another method gets 405 `SS_ERR_METHOD_NOT_ALLOWED` and an `Allow` header, not 404. */
function methodNotAllowedRoutes(app: FastifyInstance, declared: Map<string, Set<string>>): void {
  for (const [url, methods] of [...declared]) {
    if (methods.has('GET')) methods.add('HEAD');
    const missing = otherMethods.filter((m) => !methods.has(m));
    if (!missing.length) continue;
    const allow = [...methods].sort().join(', ');
    app.route({
      method: missing,
      url,
      schema: { hide: true },
      handler: async () => {
        throw new ApiError('SS_ERR_METHOD_NOT_ALLOWED', undefined, { allow });
      },
    });
  }
}
