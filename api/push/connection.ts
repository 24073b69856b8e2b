/**
 * One WebSocket client: its authentication, its subscriptions, its bounded send queue (send-queue.ts) drained only
 * as fast as its socket takes frames (back-pressure: nothing more is handed to a socket holding more than
 * `highWaterBytes`), and its heartbeat.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from '../../infra/log.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import { verifyBearer } from '../auth/guard.js';
import type { ApiContext } from '../context.js';
import { ApiError, errorCatalog, type ErrorCode } from '../errors.js';
import type { PushConfig } from '../bookings/config.js';
import type { LiveMetrics } from './metrics.js';
import { closeCodes, errorFrame, parseClientMessage, type ClientMessage } from './protocol.js';
import { SendQueue } from './send-queue.js';

/** What a connection needs of the gateway that holds it. */
export interface Topics {
  /** Starts delivering a channel's frames to the connection (snapshot for availability, personal for me). */
  follow(conn: Connection, topic: TopicRef): Promise<void>;
  unfollow(conn: Connection, topic: TopicRef): void;
  /** Sends the current snapshot of an event to a new subscriber. */
  sendCurrent(conn: Connection, eventId: string): Promise<void>;
  closed(conn: Connection): void;
}

export type TopicRef = { topic: 'me'; userId: string } | { topic: 'availability'; eventId: string };

const OPEN = 1;

const refKey = (t: TopicRef): string => (t.topic === 'me' ? 'me' : `availability:${t.eventId}`);

export class Connection {
  readonly id = randomUUID();
  private principal: AccessClaims | null = null;
  private readonly queue: SendQueue;
  private readonly following = new Map<string, TopicRef>();
  private readonly versions = new Map<string, number>();
  private alive = true;
  private ended = false;
  private work: Promise<void> = Promise.resolve();
  private authTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** Resolves when the socket has closed. */
  readonly finished: Promise<void>;

  constructor(
    private readonly socket: WebSocket,
    private readonly topics: Topics,
    private readonly ctx: ApiContext,
    private readonly config: PushConfig,
    private readonly log: Logger,
    private readonly metrics: LiveMetrics,
    principal: AccessClaims | null,
  ) {
    this.queue = new SendQueue(config.maxQueuedPersonal);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      this.work = this.work.then(() => this.onMessage(data, isBinary)).catch((err: unknown) => this.onFailure(err));
    });
    socket.on('pong', () => (this.alive = true));
    this.finished = new Promise((resolve) =>
      socket.on('close', () => {
        this.dispose();
        resolve();
      }),
    );
    if (principal) this.authenticated(principal);
    else
      this.authTimer = setTimeout(
        () => this.fail('SS_ERR_PUSH_UNAUTHENTICATED', 'no auth message in time'),
        config.authTimeoutMs,
      );
  }

  get userId(): string | null {
    return this.principal?.sub ?? null;
  }

  /// Frames from the gateway

  /** Queues an availability snapshot unless the client has had a newer one. */
  snapshot(eventId: string, version: number, frame: string): void {
    if (this.ended || !this.following.has(`availability:${eventId}`)) return;
    if ((this.versions.get(eventId) ?? -1) >= version) return;
    this.versions.set(eventId, version);
    this.queue.snapshot(eventId, frame);
    this.metrics.frames.inc({ kind: 'availability' });
    this.pump();
  }

  /** Queues a personal event; a client whose queue is full is closed (4429). */
  personal(frame: string, kind: 'me' | 'control' = 'me'): void {
    if (this.ended) return;
    if (!this.queue.personal(frame)) {
      this.fail('SS_ERR_PUSH_SLOW_CONSUMER', 'send queue full');
      return;
    }
    this.metrics.frames.inc({ kind });
    this.pump();
  }

  /** Called by the gateway's heartbeat: drops a connection that did not answer the previous ping. */
  heartbeat(): void {
    if (this.ended) return;
    if (!this.alive) {
      this.metrics.closes.inc({ reason: 'heartbeat' });
      this.log.info({ connectionId: this.id }, 'WebSocket client missed a heartbeat: dropped');
      return this.terminate();
    }
    this.alive = false;
    this.socket.ping();
    this.pump();
  }

  /** Closes the connection with a close frame. */
  close(code: number, reason: string): void {
    if (this.socket.readyState === OPEN) this.socket.close(code, reason);
    this.dispose();
  }

  /** Cuts the connection (no close handshake). */
  terminate(): void {
    this.socket.terminate();
    this.dispose();
  }

  /// Client messages

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    if (this.ended) return;
    if (isBinary) return this.reply('SS_ERR_PUSH_BAD_MESSAGE', 'text frames only');
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    const m = parseClientMessage(text);
    if ('error' in m) return this.reply('SS_ERR_PUSH_BAD_MESSAGE', m.error);
    if (m.type === 'auth') return this.authenticate(m.token);
    if (!this.principal) return this.fail('SS_ERR_PUSH_UNAUTHENTICATED', 'authenticate first');
    await this.handle(m);
  }

  private async handle(m: Exclude<ClientMessage, { type: 'auth' }>): Promise<void> {
    switch (m.type) {
      case 'ping':
        return this.personal(JSON.stringify({ type: 'pong', ...(m.id === null ? {} : { id: m.id }) }), 'control');
      case 'subscribe': {
        const ref: TopicRef =
          m.topic === 'me'
            ? { topic: 'me', userId: this.principal!.sub }
            : { topic: 'availability', eventId: m.eventId };
        const key = refKey(ref);
        if (!this.following.has(key)) {
          const events = [...this.following.values()].filter((t) => t.topic === 'availability').length;
          if (ref.topic === 'availability' && events >= this.config.maxSubscriptions)
            return this.reply('SS_ERR_PUSH_TOO_MANY_SUBSCRIPTIONS', `at most ${this.config.maxSubscriptions} events`);
          this.following.set(key, ref);
          try {
            await this.topics.follow(this, ref);
          } catch (err) {
            this.following.delete(key);
            this.log.warn({ err, connectionId: this.id }, 'subscription failed');
            return this.reply('SS_ERR_UNAVAILABLE', 'the subscription could not be made; try again');
          }
        }
        this.personal(JSON.stringify({ type: 'subscribed', ...topicFields(ref) }), 'control');
        if (ref.topic === 'availability') await this.topics.sendCurrent(this, ref.eventId);
        return;
      }
      case 'unsubscribe': {
        const ref: TopicRef =
          m.topic === 'me'
            ? { topic: 'me', userId: this.principal!.sub }
            : { topic: 'availability', eventId: m.eventId };
        const key = refKey(ref);
        if (this.following.delete(key)) this.topics.unfollow(this, ref);
        if (ref.topic === 'availability') this.versions.delete(ref.eventId);
        return this.personal(JSON.stringify({ type: 'unsubscribed', ...topicFields(ref) }), 'control');
      }
      default: {
        const _: never = m;
        return _;
      }
    }
  }

  /// Authentication

  private async authenticate(token: string): Promise<void> {
    let claims: AccessClaims;
    try {
      claims = await verifyBearer(this.ctx, token);
    } catch (err) {
      if (err instanceof ApiError) return this.fail('SS_ERR_PUSH_UNAUTHENTICATED', errorCatalog[err.code].message);
      throw err;
    }
    if (this.principal && this.principal.sub !== claims.sub)
      return this.fail('SS_ERR_PUSH_UNAUTHENTICATED', 'a connection stays with one user');
    this.authenticated(claims);
  }

  private authenticated(claims: AccessClaims): void {
    clearTimeout(this.authTimer);
    clearTimeout(this.expiryTimer);
    this.principal = claims;
    const remaining = Math.max(0, claims.exp * 1000 - this.ctx.now().getTime());
    this.expiryTimer = setTimeout(
      () => this.fail('SS_ERR_PUSH_UNAUTHENTICATED', 'the access token expired; send a fresh one before it does'),
      Math.min(remaining, 2 ** 31 - 1),
    );
    this.personal(
      JSON.stringify({
        type: 'ready',
        connectionId: this.id,
        userId: claims.sub,
        heartbeatMs: this.config.heartbeatMs,
        expiresAt: new Date(claims.exp * 1000).toISOString(),
      }),
      'control',
    );
  }

  /// Writing

  /** Hands frames to the socket while it holds less than the high-water mark; the send callbacks call it again. */
  private pump(): void {
    while (!this.ended && this.socket.readyState === OPEN && this.socket.bufferedAmount < this.config.highWaterBytes) {
      const frame = this.queue.next();
      if (frame === undefined) return;
      this.socket.send(frame, (err) => {
        if (!err) this.pump();
      });
    }
  }

  private reply(code: ErrorCode, message: string): void {
    this.personal(errorFrame(code, message), 'control');
  }

  /** Ends the connection for a reason the client is told in the close frame. */
  private fail(code: keyof typeof closeCodes, message: string): void {
    if (this.ended) return;
    this.metrics.closes.inc({ reason: code });
    this.log.info({ connectionId: this.id, userId: this.userId, code, message }, 'WebSocket connection closed');
    // Frames still queued are dropped; those already in the socket go first, then the close frame.
    this.queue.clear();
    this.close(closeCodes[code], code);
  }

  private onFailure(err: unknown): void {
    this.log.error({ err, connectionId: this.id }, 'WebSocket message handling failed');
    this.reply('SS_ERR_INTERNAL', errorCatalog.SS_ERR_INTERNAL.message);
  }

  private dispose(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.authTimer);
    clearTimeout(this.expiryTimer);
    this.metrics.conflated.inc(this.queue.conflated);
    this.queue.clear();
    for (const ref of this.following.values()) this.topics.unfollow(this, ref);
    this.following.clear();
    this.topics.closed(this);
  }
}

const topicFields = (t: TopicRef) =>
  t.topic === 'me' ? { topic: 'me' } : { topic: 'availability', eventId: t.eventId };
