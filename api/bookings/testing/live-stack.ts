/**
 * What the bookings and push integration tests run on: the real local stack (Kafka, schema registry, PostgreSQL,
 * Redis from `loadEndpoints()`), the seat-allocation service (its main.ts as a child process, random application id),
 * the push router (in this process, random consumer group), and API replicas (`buildApp`, listening on 127.0.0.1,
 * random replica ids) sharing one harness (api/testing/harness.ts) and one random Redis channel prefix.
 *
 * The allocator's consumer group is created at the current end of the shared command and catalog topics before it
 * starts (what `kafka-consumer-groups --reset-offsets --to-latest` does), so it decides only this test's commands
 * instead of replaying the whole log of every earlier run.
 *
 * `close()` stops everything started here and removes what was created: tombstones for the test events' catalog and
 * availability records, the allocator's changelog topics and consumer groups, the router's group, state directories.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import WebSocket from 'ws';
import { kafkaBrokers, loadEndpoints, stackDir } from '../../../infra/config.js';
import { logger } from '../../../infra/log.js';
import { concertHall } from '../../../processors/seat-allocation/demo-venue.js';
import type { EventDefinition } from '../../../processors/seat-allocation/model.js';
import { publishCatalog } from '../../../processors/seat-allocation/publishDemo.js';
import { ServiceProcess } from '../../../processors/seat-allocation/testing/service-process.js';
import { createRegistryClient } from '../../../schemas/registry-client.js';
import { ensureSubjects } from '../../../schemas/subjects.js';
import { applyTopics } from '../../../topics/apply.js';
import { catalogSpecs, topics } from '../../../topics/catalog.js';
import { channelsFor, type Channels } from '../../../connectors/push-router/channels.js';
import { PushRouter } from '../../../connectors/push-router/router.js';
import { buildApp } from '../../app.js';
import { startHarness, type Harness } from '../../testing/harness.js';
import type { BookingsOptions } from '../plugin.js';
import { BEARER_PROTOCOL_PREFIX, SUBPROTOCOL } from '../../push/protocol.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

export interface Replica {
  id: string;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  url: string;
}

export interface LiveStack {
  harness: Harness;
  applicationId: string;
  channels: Channels;
  /** A Redis connection for the test's own commands (PUBSUB, PUBLISH). */
  redis: Redis;
  allocator: ServiceProcess;
  startReplica(id: string, options?: BookingsOptions['config']): Promise<Replica>;
  /** A fresh event id (tracked for cleanup), to subscribe to before the event exists. */
  newEventId(): string;
  publishEvent(options: {
    eventId?: string;
    holdDurationMs?: number;
    maxTicketsPerBuyer?: number;
  }): Promise<EventDefinition>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startLiveStack(): Promise<LiveStack> {
  const endpoints = loadEndpoints();
  const brokers = kafkaBrokers(endpoints);
  const registry = createRegistryClient(endpoints.schemaRegistry);
  const kafka = new Kafka({ brokers, clientId: 'bookings-it', logLevel: logLevel.NOTHING });
  const harness = await startHarness();
  const admin = kafka.admin();
  const run = randomUUID().slice(0, 8);
  const applicationId = `it-bookings-${run}`;
  const routerGroup = `it-push-router-${run}`;
  const channels = channelsFor(`it:push:${run}:`);
  const stateDir = join(stackDir, 'test', `bookings-${run}`);
  const eventIds: string[] = [];
  const replicas: Replica[] = [];
  try {
    await admin.connect();
    const applied = await applyTopics(admin, catalogSpecs());
    if (!applied.ok) throw new Error(`topics:apply failed: ${JSON.stringify(applied.outcomes.filter((o) => o.error))}`);
    const subjects = await ensureSubjects(catalogSpecs(), registry);
    if (subjects.some((s) => s.action === 'failed')) throw new Error(`schemas: ${JSON.stringify(subjects)}`);
    // The allocator starts at the end of the shared input topics.
    for (const spec of [topics.reservationCommands, topics.catalogEvents]) {
      const ends = await admin.fetchTopicOffsets(spec.name);
      await admin.setOffsets({
        groupId: applicationId,
        topic: spec.name,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    }
    mkdirSync(stateDir, { recursive: true });
  } catch (err) {
    await admin.deleteGroups([applicationId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await harness.close().catch(() => undefined);
    throw err;
  }
  const allocator = new ServiceProcess('allocator', {
    SEAT_ALLOCATION_APPLICATION_ID: applicationId,
    SEAT_ALLOCATION_INSTANCE_ID: `it-${run}`,
    SEAT_ALLOCATION_STATE_DIR: join(stateDir, 'allocator'),
    SEAT_ALLOCATION_EXPIRY_INTERVAL_MS: '250',
  });
  const redis = new Redis(endpoints.redis, { connectionName: `bookings-it-${run}` });
  const publisher = new Redis(endpoints.redis, { connectionName: `bookings-it-router-${run}` });
  const router = new PushRouter({
    kafka: new Kafka({ brokers, clientId: `push-router-it-${run}`, logLevel: logLevel.NOTHING }),
    redis: publisher,
    registry,
    channels,
    groupId: routerGroup,
    maxAgeMs: 60_000,
    originApplicationId: applicationId,
    partitionsConsumedConcurrently: 3,
    sessionTimeoutMs: 10_000,
    log: logger('push-router-it'),
  });

  const stack: LiveStack = {
    harness,
    applicationId,
    channels,
    redis,
    allocator,
    async startReplica(id, options = {}) {
      const app = await buildApp({
        config: harness.config,
        pool: harness.pool,
        redis: harness.redis,
        secrets: harness.secrets,
        now: harness.now,
        bookings: { config: { replicaId: id, channelPrefix: channels.prefix, ...options }, registry },
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const replica = { id, app, url: `http://127.0.0.1:${port}` };
      replicas.push(replica);
      return replica;
    },
    newEventId() {
      const eventId = `it-bookings-${randomUUID()}`;
      eventIds.push(eventId);
      return eventId;
    },
    async publishEvent({ eventId = stack.newEventId(), holdDurationMs, maxTicketsPerBuyer }) {
      const definition = concertHall({
        eventId,
        onSaleAt: Date.now() - 60_000,
        ...(holdDurationMs === undefined ? {} : { holdDurationMs }),
        ...(maxTicketsPerBuyer === undefined ? {} : { maxTicketsPerBuyer }),
      });
      await publishCatalog([definition], { brokers, registry });
      return definition;
    },
    async close() {
      const errors: unknown[] = [];
      const attempt = async (what: () => Promise<unknown>) => {
        try {
          await what();
        } catch (err) {
          errors.push(err);
        }
      };
      for (const r of replicas) await attempt(() => r.app.close());
      await attempt(() => router.stop());
      allocator.kill('SIGTERM');
      const stopped = await Promise.race([allocator.exited, sleep(20_000).then(() => null)]);
      if (!stopped) {
        allocator.kill('SIGKILL');
        await allocator.exited;
      }
      await attempt(async () => {
        const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
        await producer.connect();
        for (const topic of [topics.catalogEvents.name, topics.eventAvailability.name])
          if (eventIds.length)
            await producer.send({ topic, acks: -1, messages: eventIds.map((key) => ({ key, value: null })) });
        await producer.disconnect();
      });
      await attempt(async () => {
        const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${applicationId}-`));
        if (ours.length) await admin.deleteTopics({ topics: ours });
      });
      await attempt(async () => {
        const { groups } = await admin.listGroups();
        const mine = groups
          .map((g) => g.groupId)
          .filter((g) => g === routerGroup || g === applicationId || g.startsWith(`${applicationId}.`));
        if (mine.length) await admin.deleteGroups(mine);
      });
      await attempt(() => admin.disconnect());
      await attempt(() => publisher.quit());
      await attempt(() => redis.quit());
      await attempt(() => harness.close());
      rmSync(stateDir, { recursive: true, force: true });
      if (errors.length) throw new AggregateError(errors, 'cleanup of the live stack failed');
    },
  };

  try {
    await router.start();
    await allocator.url(120_000);
  } catch (err) {
    await stack.close().catch(() => undefined);
    throw err;
  }
  return stack;
}

/// HTTP and WebSocket clients

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function http<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

export interface Account {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** Registers and logs in a customer through the HTTP API of a replica. */
export async function signUp(h: Harness, base: string, name: string): Promise<Account> {
  const email = `bookings-${name}-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const reg = await http<{ id: string }>(base, 'POST', '/v1/auth/register', {
    body: { email, password, name, locale: 'en' },
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  h.track(reg.body.id);
  const login = await http<{ accessToken: string }>(base, 'POST', '/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: reg.body.id, email, password, token: login.body.accessToken };
}

export type Frame = { type: string; [k: string]: unknown };

/** A WebSocket client of GET /v1/ws that keeps every frame it receives. */
export class PushClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const w of [...this.waiters]) w();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        for (const w of [...this.waiters]) w();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Connects; with `token` and `via: 'protocol'` the token rides in Sec-WebSocket-Protocol, with 'message' in a first message. */
  static connect(base: string, opts: { token?: string; via?: 'protocol' | 'message' } = {}): Promise<PushClient> {
    const via = opts.via ?? 'protocol';
    const protocols = [SUBPROTOCOL, ...(opts.token && via === 'protocol' ? [BEARER_PROTOCOL_PREFIX + opts.token] : [])];
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/ws`, protocols);
    const client = new PushClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
      ws.once('open', () => {
        if (opts.token && via === 'message') client.send({ type: 'auth', token: opts.token });
        resolve(client);
      });
    });
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  /** The first frame (received or to come) matching `match`. */
  waitFor(match: (f: Frame) => boolean, timeoutMs: number, what: string): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.frames.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          done();
          reject(new Error(`connection closed before ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${this.frames.map((f) => f.type).join(',')}`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Subscribes and waits for the acknowledgement. */
  async subscribe(topic: 'me' | 'availability', eventId?: string): Promise<void> {
    this.send({ type: 'subscribe', topic, ...(eventId ? { eventId } : {}) });
    await this.waitFor(
      (f) => f.type === 'subscribed' && f.topic === topic && (eventId === undefined || f.eventId === eventId),
      10_000,
      `subscribed ${topic} ${eventId ?? ''}`,
    );
  }

  /** Stops reading from the socket (a slow client); `resume()` reads again. */
  pause(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  resume(): void {
    (this.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  terminate(): void {
    this.ws.terminate();
  }
}
