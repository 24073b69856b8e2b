/**
 * One signalling connection (GET /v1/stream/ws): who it is (the access token of the handshake), what it joined (the
 * stream token of its `join`), and its mediasoup transports, producers and consumers. Closing the connection closes
 * them all; the room closes when its last peer leaves.
 */
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { WebSocket } from 'ws';
import type { Logger } from '../../infra/log.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import type { Pool } from '../db/pool.js';
import { ApiError, errorCatalog, type ErrorCode } from '../errors.js';
import type { CancellationWatch } from './cancellations.js';
import type { StreamingConfig } from './config.js';
import { isBookingConfirmed } from './entitlements.js';
import type { StreamingMetrics } from './metrics.js';
import {
  errorAnswer,
  notificationFrame,
  okFrame,
  parseStreamRequest,
  streamCloseCodes,
  type StreamNotification,
  type StreamRequest,
} from './protocol.js';
import type { Room, Rooms, RouterSlot } from './rooms.js';
import { checkStreamClaims, type StreamClaims, type StreamTokens } from './stream-tokens.js';

export interface SessionDeps {
  config: StreamingConfig;
  rooms: Rooms;
  tokens: StreamTokens;
  pool: Pool;
  cancellations: CancellationWatch;
  metrics: StreamingMetrics;
  log: Logger;
  now: () => Date;
  /** Sessions by event, for the room's notifications. */
  registry: SessionRegistry;
}

/** The joined sessions of each event. */
export class SessionRegistry {
  private readonly byEvent = new Map<string, Set<StreamSession>>();
  readonly all = new Set<StreamSession>();

  joined(s: StreamSession, eventId: string): void {
    let set = this.byEvent.get(eventId);
    if (!set) this.byEvent.set(eventId, (set = new Set()));
    set.add(s);
  }

  left(s: StreamSession, eventId: string): void {
    const set = this.byEvent.get(eventId);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.byEvent.delete(eventId);
  }

  of(eventId: string): Iterable<StreamSession> {
    return this.byEvent.get(eventId) ?? [];
  }
}

type State = 'open' | 'joining' | 'joined' | 'closed';

export class StreamSession {
  readonly id = randomUUID();
  private state: State = 'open';
  private claims: StreamClaims | null = null;
  private room: Room | null = null;
  private slot: RouterSlot | null = null;
  private readonly transports = new Map<string, types.WebRtcTransport>();
  private readonly consumers = new Map<string, types.Consumer>();
  private stopWatching: (() => void) | null = null;
  private alive = true;
  private readonly joinTimer: NodeJS.Timeout;
  readonly finished: Promise<void>;

  constructor(
    private readonly socket: WebSocket,
    private readonly principal: AccessClaims | null,
    private readonly d: SessionDeps,
  ) {
    d.registry.all.add(this);
    d.metrics.connections.inc();
    this.finished = new Promise((resolve) =>
      socket.once('close', () => {
        this.cleanUp();
        resolve();
      }),
    );
    socket.on('pong', () => (this.alive = true));
    this.joinTimer = setTimeout(() => {
      if (this.state === 'open' || this.state === 'joining') this.close('SS_ERR_STREAM_NOT_JOINED', 'no join in time');
    }, d.config.joinTimeoutMs);
    if (!principal) {
      this.close('SS_ERR_STREAM_UNAUTHENTICATED', errorCatalog.SS_ERR_STREAM_UNAUTHENTICATED.message);
      return;
    }
    socket.on('message', (data, isBinary) => {
      if (isBinary) return this.reply(errorAnswer(null, 'SS_ERR_STREAM_BAD_MESSAGE', 'text frames only'));
      void this.handle(data.toString());
    });
  }

  get userId(): string | null {
    return this.principal?.sub ?? null;
  }

  get role(): StreamClaims['role'] | null {
    return this.claims?.role ?? null;
  }

  /** Heartbeat: a connection that did not answer the previous ping is cut. */
  heartbeat(): void {
    if (!this.alive) return this.socket.terminate();
    this.alive = false;
    this.socket.ping();
  }

  notify(n: StreamNotification): void {
    this.reply(notificationFrame(n));
  }

  /** Ends the connection with the close code of `code` (or 1001 going away). */
  close(code: ErrorCode | 'GOING_AWAY', reason: string): void {
    if (this.state === 'closed') return;
    const wsCode = code === 'GOING_AWAY' ? 1001 : ((streamCloseCodes as Record<string, number>)[code] ?? 1008);
    this.d.metrics.closes.inc({ reason: code });
    // A close reason is at most 123 bytes.
    this.socket.close(wsCode, `${code === 'GOING_AWAY' ? '' : `${code}: `}${reason}`.slice(0, 120));
    this.cleanUp();
  }

  terminate(): void {
    this.socket.terminate();
  }

  private reply(frame: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(frame);
  }

  private async handle(text: string): Promise<void> {
    const req = parseStreamRequest(text);
    if ('error' in req) return this.reply(errorAnswer(req.id, 'SS_ERR_STREAM_BAD_MESSAGE', req.error));
    try {
      const data = await this.dispatch(req);
      this.reply(okFrame(req.id, data));
    } catch (err) {
      if (err instanceof ApiError) return this.reply(errorAnswer(req.id, err.code, err.message));
      if (err instanceof TypeError || (err instanceof Error && err.name === 'UnsupportedError')) {
        return this.reply(errorAnswer(req.id, 'SS_ERR_STREAM_MEDIA_REFUSED', err.message));
      }
      this.d.log.warn({ err, method: req.method, sessionId: this.id }, 'stream request failed');
      this.reply(errorAnswer(req.id, 'SS_ERR_INTERNAL', errorCatalog.SS_ERR_INTERNAL.message));
    }
  }

  private async dispatch(req: StreamRequest): Promise<unknown> {
    if (req.method === 'ping') return {};
    if (req.method === 'join') return this.join(req.data.eventId, req.data.streamToken);
    if (this.state !== 'joined' || !this.room || !this.slot || !this.claims)
      throw new ApiError('SS_ERR_STREAM_NOT_JOINED');
    const room = this.room;
    const broadcaster = this.claims.role === 'broadcaster';
    switch (req.method) {
      case 'createTransport': {
        if (req.data.direction === 'send' && !broadcaster) throw new ApiError('SS_ERR_STREAM_FORBIDDEN');
        const { listenIp, announcedAddress, rtcMinPort, rtcMaxPort } = this.d.config;
        const info = {
          ip: listenIp,
          ...(announcedAddress ? { announcedAddress } : {}),
          portRange: { min: rtcMinPort, max: rtcMaxPort },
        };
        const transport = await this.slot.router.createWebRtcTransport({
          listenInfos: [
            { protocol: 'udp', ...info },
            { protocol: 'tcp', ...info },
          ],
          enableUdp: true,
          enableTcp: true,
          preferUdp: true,
          initialAvailableOutgoingBitrate: 1_000_000,
          appData: { direction: req.data.direction },
        });
        if (this.state !== 'joined') {
          transport.close();
          throw new ApiError('SS_ERR_STREAM_NOT_JOINED');
        }
        this.transports.set(transport.id, transport);
        if (req.data.direction === 'send') await transport.setMaxIncomingBitrate(this.d.config.maxIncomingBitrate);
        return {
          id: transport.id,
          iceParameters: transport.iceParameters,
          iceCandidates: transport.iceCandidates,
          dtlsParameters: transport.dtlsParameters,
        };
      }
      case 'connectTransport': {
        await this.transport(req.data.transportId).connect({
          dtlsParameters: req.data.dtlsParameters as unknown as types.DtlsParameters,
        });
        return {};
      }
      case 'produce': {
        if (!broadcaster) throw new ApiError('SS_ERR_STREAM_FORBIDDEN');
        const transport = this.transport(req.data.transportId);
        const producer = await transport.produce({
          kind: req.data.kind,
          rtpParameters: req.data.rtpParameters as unknown as types.RtpParameters,
        });
        this.d.metrics.producers.inc();
        producer.observer.once('close', () => this.d.metrics.producers.dec());
        await room.addProducer(producer);
        return { producerId: producer.id };
      }
      case 'closeProducer': {
        if (!broadcaster) throw new ApiError('SS_ERR_STREAM_FORBIDDEN');
        room.producers.get(req.data.producerId)?.close();
        return {};
      }
      case 'consume': {
        const transport = this.transport(req.data.transportId);
        const rtpCapabilities = req.data.rtpCapabilities as unknown as types.RtpCapabilities;
        if (!this.slot.router.canConsume({ producerId: req.data.producerId, rtpCapabilities }))
          throw new ApiError('SS_ERR_STREAM_MEDIA_REFUSED', 'this producer cannot be consumed with these capabilities');
        const consumer = await transport.consume({ producerId: req.data.producerId, rtpCapabilities, paused: true });
        this.consumers.set(consumer.id, consumer);
        consumer.on('layerschange', (layers) =>
          this.notify({
            notification: 'layersChanged',
            data: {
              consumerId: consumer.id,
              spatialLayer: layers?.spatialLayer ?? null,
              temporalLayer: layers?.temporalLayer ?? null,
            },
          }),
        );
        consumer.on('producerclose', () => {
          this.consumers.delete(consumer.id);
          this.notify({ notification: 'consumerClosed', data: { consumerId: consumer.id } });
        });
        consumer.on('transportclose', () => this.consumers.delete(consumer.id));
        return {
          consumerId: consumer.id,
          producerId: consumer.producerId,
          kind: consumer.kind,
          rtpParameters: consumer.rtpParameters,
          type: consumer.type,
        };
      }
      case 'resumeConsumer': {
        await this.consumer(req.data.consumerId).resume();
        return {};
      }
      case 'setPreferredLayers': {
        const { spatialLayer, temporalLayer } = req.data;
        await this.consumer(req.data.consumerId).setPreferredLayers({
          spatialLayer,
          ...(temporalLayer === null ? {} : { temporalLayer }),
        });
        return {};
      }
    }
  }

  private transport(id: string): types.WebRtcTransport {
    const t = this.transports.get(id);
    if (!t) throw new ApiError('SS_ERR_STREAM_BAD_MESSAGE', `no transport ${id} on this connection`);
    return t;
  }

  private consumer(id: string): types.Consumer {
    const c = this.consumers.get(id);
    if (!c) throw new ApiError('SS_ERR_STREAM_BAD_MESSAGE', `no consumer ${id} on this connection`);
    return c;
  }

  /**
   * Verifies the stream token (signature, expiry, that it is this user's and for this event); for a viewer, follows
   * the booking's cancellations first, then checks the booking is still confirmed, so a cancellation between the
   * token and the join is not missed. Then places the peer on a router.
   */
  private async join(eventId: string, streamToken: string): Promise<unknown> {
    if (this.state !== 'open') throw new ApiError('SS_ERR_STREAM_ALREADY_JOINED');
    this.state = 'joining';
    try {
      const claims = await this.d.tokens.verify(streamToken, this.d.now());
      checkStreamClaims(claims, { userId: this.principal!.sub, eventId });
      if (claims.role === 'viewer') {
        const bookingId = claims.bookingId!;
        this.stopWatching = await this.d.cancellations.watch(claims.sub, bookingId, () =>
          this.close('SS_ERR_STREAM_BOOKING_CANCELLED', 'the booking was cancelled'),
        );
        if (!(await isBookingConfirmed(this.d.pool, { bookingId, buyerId: claims.sub, eventId })))
          throw new ApiError('SS_ERR_STREAM_BOOKING_CANCELLED');
      }
      if (this.state !== 'joining') throw new ApiError('SS_ERR_STREAM_BOOKING_CANCELLED');
      const room = await this.d.rooms.open(eventId);
      if (claims.role === 'broadcaster') {
        if (!room.claimBroadcast(this)) {
          this.d.rooms.release(room);
          throw new ApiError('SS_ERR_STREAM_BROADCAST_TAKEN');
        }
        this.slot = room.origin;
      } else {
        this.slot = await room.placeViewer();
      }
      this.room = room;
      this.claims = claims;
      if ((this.state as State) === 'closed') {
        this.leaveRoom();
        throw new ApiError('SS_ERR_STREAM_NOT_JOINED');
      }
      this.state = 'joined';
      clearTimeout(this.joinTimer);
      this.d.registry.joined(this, eventId);
      this.d.metrics.joins.inc({ role: claims.role });
      this.d.log.info({ sessionId: this.id, userId: claims.sub, eventId, role: claims.role }, 'joined a stream');
      return {
        role: claims.role,
        eventId,
        routerRtpCapabilities: this.slot.router.rtpCapabilities,
        producers: [...room.producers.values()].map((p) => ({ producerId: p.id, kind: p.kind })),
        viewers: room.viewers,
      };
    } catch (err) {
      if (this.state === 'joining') {
        this.state = 'open';
        this.stopWatching?.();
        this.stopWatching = null;
      }
      if (err instanceof ApiError) this.d.metrics.refusals.inc({ code: err.code });
      throw err;
    }
  }

  private leaveRoom(): void {
    const room = this.room;
    if (!room) return;
    this.room = null;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.consumers.clear();
    if (this.claims?.role === 'broadcaster') room.broadcasterLeft(this);
    else if (this.slot) room.viewerLeft(this.slot);
    this.d.registry.left(this, room.eventId);
    this.d.rooms.release(room);
  }

  private cleanUp(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.joinTimer);
    this.stopWatching?.();
    this.stopWatching = null;
    this.leaveRoom();
    this.d.registry.all.delete(this);
    this.d.metrics.connections.dec();
  }
}
