/**
 * The WebSocket gateway of an API replica (GET /v1/ws): its connections, and the Redis channels they follow.
 *
 * A replica subscribes to a channel (through the replica's one ChannelHub connection) only while one of its own
 * clients follows the topic; each message is parsed and re-encoded once per replica, then queued on every local
 * connection that follows it. Several replicas run side by side: each hears the push router's publications for its
 * own clients' topics, whatever replica the decision was asked through.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { WebsocketPluginOptions } from '@fastify/websocket';
import type { Logger } from '../../infra/log.js';
import { parsePushMessage, type Channels } from '../../connectors/push-router/channels.js';
import { verifyBearer } from '../auth/guard.js';
import type { ApiContext } from '../context.js';
import { ApiError } from '../errors.js';
import { responses } from '../http/schemas.js';
import type { PushConfig } from '../bookings/config.js';
import { availabilityPush, decisionView } from '../bookings/views.js';
import type { ChannelHub } from './channel-hub.js';
import { Connection, type TopicRef, type Topics } from './connection.js';
import type { LiveMetrics } from './metrics.js';
import { GOING_AWAY, MAX_MESSAGE_BYTES, SUBPROTOCOL, tokenFromProtocols } from './protocol.js';
import { currentAvailability } from './snapshots.js';

interface Channel {
  members: Set<Connection>;
  /** Resolves with the function that leaves the Redis channel. */
  joined: Promise<() => void>;
  /** The newest snapshot seen on this channel (availability only), served to new subscribers. */
  latest: { version: number; frame: string } | null;
}

export interface GatewayDeps {
  ctx: ApiContext;
  hub: ChannelHub;
  channels: Channels;
  config: PushConfig;
  log: Logger;
  metrics: LiveMetrics;
}

export class PushGateway implements Topics {
  private readonly connections = new Set<Connection>();
  private readonly subscribed = new Map<string, Channel>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly d: GatewayDeps) {
    this.heartbeat = setInterval(() => {
      for (const c of [...this.connections]) c.heartbeat();
    }, d.config.heartbeatMs);
    this.heartbeat.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  accept(socket: WebSocket, req: FastifyRequest): void {
    const conn = new Connection(socket, this, this.d.ctx, this.d.config, this.d.log, this.d.metrics, req.principal);
    this.connections.add(conn);
    this.d.log.debug({ connectionId: conn.id, userId: conn.userId }, 'WebSocket connection open');
  }

  /// Topics (what connections call)

  async follow(conn: Connection, ref: TopicRef): Promise<void> {
    const name = this.channelOf(ref);
    let ch = this.subscribed.get(name);
    if (!ch) {
      const created: Channel = {
        members: new Set(),
        joined: this.d.hub.subscribe(name, (text) => this.dispatch(name, text)),
        latest: null,
      };
      created.joined.catch(() => {
        if (this.subscribed.get(name) === created) this.subscribed.delete(name);
      });
      this.subscribed.set(name, created);
      ch = created;
    }
    ch.members.add(conn);
    try {
      await ch.joined;
    } catch (err) {
      ch.members.delete(conn);
      throw err;
    }
  }

  unfollow(conn: Connection, ref: TopicRef): void {
    const name = this.channelOf(ref);
    const ch = this.subscribed.get(name);
    if (!ch || !ch.members.delete(conn) || ch.members.size > 0) return;
    this.subscribed.delete(name);
    ch.joined.then((leave) => leave()).catch(() => undefined);
  }

  async sendCurrent(conn: Connection, eventId: string): Promise<void> {
    const ch = this.subscribed.get(this.d.channels.availability(eventId));
    if (ch?.latest) return conn.snapshot(eventId, ch.latest.version, ch.latest.frame);
    let view;
    try {
      view = await currentAvailability(this.d.ctx.pool, eventId);
    } catch (err) {
      this.d.log.warn({ err, eventId }, 'the current availability could not be read; live snapshots follow');
      return;
    }
    if (view)
      conn.snapshot(
        eventId,
        view.version,
        JSON.stringify({ type: 'availability', eventId, availability: availabilityPush(view) }),
      );
  }

  closed(conn: Connection): void {
    this.connections.delete(conn);
  }

  /**
   * Ends every connection with 1001 (going away: reconnect elsewhere); those whose close handshake has not finished
   * after `graceMs` are cut.
   */
  async close(graceMs = 1_000): Promise<void> {
    clearInterval(this.heartbeat);
    const all = [...this.connections];
    for (const c of all) c.close(GOING_AWAY, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(all.map((c) => c.finished)), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const c of all) c.terminate();
  }

  private channelOf(ref: TopicRef): string {
    return ref.topic === 'me' ? this.d.channels.user(ref.userId) : this.d.channels.availability(ref.eventId);
  }

  /** One message of a Redis channel: parsed and encoded once, then queued on each local follower. */
  private dispatch(name: string, text: string): void {
    const ch = this.subscribed.get(name);
    if (!ch) return;
    const m = parsePushMessage(text);
    if (m === null) {
      this.d.log.warn({ channel: name }, 'unreadable push message skipped');
      return;
    }
    if (m.kind === 'availability') {
      const { eventId, version } = m.availability;
      if (ch.latest && ch.latest.version >= version) return;
      const frame = JSON.stringify({ type: 'availability', eventId, availability: availabilityPush(m.availability) });
      ch.latest = { version, frame };
      for (const c of ch.members) c.snapshot(eventId, version, frame);
      return;
    }
    if (m.kind === 'notification') {
      const frame = JSON.stringify({ type: 'notification', notification: m.notification });
      for (const c of ch.members) c.personal(frame);
      return;
    }
    const frame = JSON.stringify({ type: 'me', decision: decisionView(m.decision) });
    for (const c of ch.members) c.personal(frame);
  }
}

/// Fastify wiring

/** Options of @fastify/websocket, registered in app.ts before every route. */
export const websocketOptions: WebsocketPluginOptions = {
  options: {
    maxPayload: MAX_MESSAGE_BYTES,
    // The client offers `seatstream.v1` (and maybe `bearer.<token>`): the answer names only the former, never the token.
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  },
  // Connections are ended by the gateway itself (1001 to every client) from the bookings plugin's preClose.
  preClose: function (this: FastifyInstance, done) {
    this.websocketServer.close(() => done());
  },
  errorHandler: (err, socket, req) => {
    req.log.debug({ err: err.message }, 'WebSocket error');
    socket.terminate();
  },
};

/** GET /v1/ws: authenticates the upgrade when the token comes as a subprotocol, then hands the socket to the gateway. */
export async function pushRoutes(app: FastifyInstance, opts: { gateway: PushGateway; ctx: ApiContext }) {
  const { gateway, ctx } = opts;
  app.route({
    method: 'GET',
    url: '/v1/ws',
    schema: {
      tags: ['live'],
      summary: 'Live push over WebSocket (subprotocol seatstream.v1; see api/push/protocol.ts)',
      description:
        'Upgrade with `Sec-WebSocket-Protocol: seatstream.v1, bearer.<access token>` (or authenticate with a first ' +
        "message `{type:'auth', token}`), then `{type:'subscribe', topic:'availability', eventId}` or " +
        "`{type:'subscribe', topic:'me'}`. A plain GET answers 426.",
      response: responses({}, [401, 426]),
    },
    preValidation: async (req) => {
      if (!req.ws) return;
      const token = tokenFromProtocols(req.headers['sec-websocket-protocol']);
      if (token !== null) req.principal = await verifyBearer(ctx, token);
    },
    handler: async () => {
      throw new ApiError('SS_ERR_PUSH_UPGRADE_REQUIRED', undefined, { upgrade: 'websocket' });
    },
    wsHandler: (socket, req) => gateway.accept(socket, req),
  });
}
