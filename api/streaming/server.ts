/**
 * The streaming service: mediasoup workers, rooms, the signalling WebSocket (GET /v1/stream/ws), the browser's
 * mediasoup-client bundle, and the operator routes /health, /ready and /metrics. `startStreamingService(deps)` is
 * what main.ts runs and what tests start in their own process.
 */
import type { AddressInfo } from 'node:net';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Channels } from '../../connectors/push-router/channels.js';
import type { Logger } from '../../infra/log.js';
import { AccessTokens, type AccessClaims } from '../auth/access-tokens.js';
import { Sessions } from '../auth/sessions.js';
import type { JwtSettings } from '../auth/token-settings.js';
import type { Pool } from '../db/pool.js';
import type { JwtKeySet } from '../keys/jwt-keys.js';
import { tokenFromProtocols } from '../push/protocol.js';
import { CancellationWatch } from './cancellations.js';
import { bundleMediasoupClient, CLIENT_BUNDLE_PATH } from './client-bundle.js';
import type { StreamingConfig } from './config.js';
import { StreamingMetrics } from './metrics.js';
import { MAX_STREAM_MESSAGE_BYTES, SIGNALING_PATH, STREAM_SUBPROTOCOL } from './protocol.js';
import { Rooms, WorkerPool, type RoomEvents } from './rooms.js';
import { SessionRegistry, StreamSession, type SessionDeps } from './session.js';
import { StreamTokens } from './stream-tokens.js';

export interface StreamingDeps {
  config: StreamingConfig;
  /** The API's token settings and the Redis prefix of its revocations (api/auth/token-settings.ts). */
  api: { jwt: JwtSettings; redisKeyPrefix: string };
  jwtKeys: JwtKeySet;
  pool: Pool;
  /** Commands (revocation checks). */
  redis: Redis;
  /** A connection of its own for SUBSCRIBE (booking cancellations). */
  subscriber: Redis;
  channels: Channels;
  log: Logger;
  now?: () => Date;
  /** Called when a mediasoup worker dies (main.ts exits so that the supervisor restarts the service). */
  onWorkerDeath?: (err: Error) => void;
}

export interface StreamingService {
  app: FastifyInstance;
  /** http://host:port */
  url: string;
  rooms: Rooms;
  workers: WorkerPool;
  metrics: StreamingMetrics;
  /** Ends every connection with 1001, closes rooms and workers, stops listening. */
  close(graceMs?: number): Promise<void>;
}

export async function startStreamingService(d: StreamingDeps): Promise<StreamingService> {
  const { config, log } = d;
  const now = d.now ?? (() => new Date());
  let rooms: Rooms | null = null;
  let workers: WorkerPool | null = null;
  const metrics = new StreamingMetrics({ rooms: () => rooms, workers: () => workers });
  const [bundle, accessTokens, streamTokens] = await Promise.all([
    bundleMediasoupClient(),
    AccessTokens.create(d.jwtKeys, { ...d.api.jwt, ttlSec: d.api.jwt.accessTtlSec }),
    StreamTokens.create(d.jwtKeys, {
      issuer: d.api.jwt.issuer,
      ttlSec: 0,
      clockToleranceSec: d.api.jwt.clockToleranceSec,
    }),
  ]);
  const sessions = new Sessions(d.redis, d.api.jwt.accessTtlSec, d.api.redisKeyPrefix);
  workers = await WorkerPool.start(config, log, (err) => d.onWorkerDeath?.(err));
  const registry = new SessionRegistry();
  const roomEvents = (eventId: string): RoomEvents => ({
    producerAdded: (p) => {
      for (const s of registry.of(eventId))
        if (s.role === 'viewer') s.notify({ notification: 'producerAdded', data: { producerId: p.id, kind: p.kind } });
    },
    producerClosed: (producerId) => {
      for (const s of registry.of(eventId)) s.notify({ notification: 'producerClosed', data: { producerId } });
    },
    viewerCount: (viewers) => {
      for (const s of registry.of(eventId)) s.notify({ notification: 'viewerCount', data: { viewers } });
    },
    piped: () => metrics.pipes.inc(),
    closed: () => log.info({ eventId }, 'room closed'),
  });
  rooms = new Rooms(workers, config, log, roomEvents);
  const sessionDeps: SessionDeps = {
    config,
    rooms,
    tokens: streamTokens,
    pool: d.pool,
    cancellations: new CancellationWatch(d.subscriber, d.channels, log),
    metrics,
    log,
    now,
    registry,
  };

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    disableRequestLogging: true,
    forceCloseConnections: 'idle',
  });
  /** Who each upgrade request is, verified before the upgrade completes. */
  const principals = new WeakMap<object, AccessClaims>();
  await app.register(websocket, {
    options: {
      maxPayload: MAX_STREAM_MESSAGE_BYTES,
      // The answer names only the protocol, never the `bearer.<token>` the client offered next to it.
      handleProtocols: (protocols) => (protocols.has(STREAM_SUBPROTOCOL) ? STREAM_SUBPROTOCOL : false),
    },
  });
  const heartbeat = setInterval(() => {
    for (const s of registry.all) s.heartbeat();
  }, config.heartbeatMs);
  heartbeat.unref();

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    const checks = await Promise.allSettled([d.pool.query('SELECT 1'), d.redis.ping()]);
    const ok = checks.every((c) => c.status === 'fulfilled') && workers!.slots.every((s) => !s.worker.closed);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready' });
  });
  app.get('/metrics', async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get(CLIENT_BUNDLE_PATH, async (req, reply) => {
    reply
      .header('cache-control', 'public, max-age=300')
      .header('etag', bundle.etag)
      .type('text/javascript; charset=utf-8');
    if (req.headers['if-none-match'] === bundle.etag) return reply.code(304).send();
    return reply.send(bundle.body);
  });
  app.route({
    method: 'GET',
    url: SIGNALING_PATH,
    handler: async (_req, reply) =>
      reply
        .code(426)
        .header('upgrade', 'websocket')
        .send({ code: 'SS_ERR_PUSH_UPGRADE_REQUIRED', message: 'this route speaks WebSocket only' }),
    // Verified before the upgrade completes, so no message of the client can arrive before its session listens.
    preValidation: async (req) => {
      if (!req.ws) return;
      const token = tokenFromProtocols(req.headers['sec-websocket-protocol']);
      if (token === null) return;
      try {
        const claims = await accessTokens.verify(token, now());
        if (!(await sessions.isRevoked(claims))) principals.set(req, claims);
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'stream connection with an invalid access token');
      }
    },
    wsHandler: (socket, req) => void new StreamSession(socket, principals.get(req) ?? null, sessionDeps),
  });

  await app.listen({ host: config.host, port: config.port });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  log.info({ url, workers: config.workers }, 'streaming service listening');

  return {
    app,
    url,
    rooms,
    workers,
    metrics,
    async close(graceMs = 1_000) {
      clearInterval(heartbeat);
      const all = [...registry.all];
      for (const s of all) s.close('GOING_AWAY', 'server shutting down');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(all.map((s) => s.finished)),
        new Promise((r) => (timer = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timer);
      for (const s of all) s.terminate();
      await app.close();
      rooms!.closeAll();
      workers!.close();
    },
  };
}
