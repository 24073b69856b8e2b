/**
 * Ticket-gated live streaming, end to end on the real local stack (Kafka, schema registry, PostgreSQL, Redis from
 * loadEndpoints()), with two headless Chromium instances (Debian's, through playwright-core) and their fake camera and
 * microphone:
 *   - the seat allocator (child process, random application id), the push router (child process, random group and
 *     Redis channel prefix), the PostgreSQL read-model sink (in this process, from the end of the log), the API
 *     (buildApp through the harness) and the streaming service (startStreamingService: 2 mediasoup workers, 1 peer
 *     per router, so the viewer is served through pipeToRouter on the second worker), behind a loopback gateway that
 *     gives the pages one origin, as the deployment's NGINX does;
 *   - a concert hall published under a random event id whose organizer is a test organizer (TOTP enrolled); a buyer
 *     holds a place through the API and the booking is confirmed by the command the payment saga sends.
 * The organizer broadcasts from broadcast.html; the buyer's watch.html receives audio and video (frames decoded in
 * the page's getStats() indicator); a buyer without a ticket, forged, expired, wrong-event and someone else's stream
 * tokens are refused with their codes; cancelling the booking through DELETE /v1/bookings/:id ends the viewer's
 * session (close 4403, SS_ERR_STREAM_BOOKING_CANCELLED on the page).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import kafkajs from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { channelsFor } from '../../connectors/push-router/channels.js';
import { cleanUp, startTestSink, testKafka } from '../../connectors/postgres/testing.js';
import type { PostgresSink } from '../../connectors/postgres/sink.js';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import { logger } from '../../infra/log.js';
import { customer, fastArgon2, organizer, type SignedIn } from '../../api/catalog/testing.js';
import { generateSigningKey, newKeySet } from '../../api/keys/jwt-keys.js';
import { loadStreamingConfig } from '../../api/streaming/config.js';
import { confirmedBookingOf } from '../../api/streaming/entitlements.js';
import { SIGNALING_PATH, STREAM_SUBPROTOCOL } from '../../api/streaming/protocol.js';
import { startStreamingService, type StreamingService } from '../../api/streaming/server.js';
import { StreamTokens } from '../../api/streaming/stream-tokens.js';
import { startLoopbackGateway, type LoopbackGateway } from '../../api/streaming/loopback-gateway.js';
import { startHarness, type Harness } from '../../api/testing/harness.js';
import { commandToAvro } from '../../processors/seat-allocation/codec.js';
import { concertHall } from '../../processors/seat-allocation/demo-venue.js';
import { publishCatalog } from '../../processors/seat-allocation/publishDemo.js';
import { ServiceProcess, stopAllServices } from '../../processors/seat-allocation/testing/service-process.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';

const { Partitioners } = kafkajs;
const repo = fileURLToPath(new URL('../../', import.meta.url));
const shots = join(repo, 'test-results', 'streaming');
const chromiumPath = '/usr/bin/chromium';
const WAIT = 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = WAIT): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function startPushRouter(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'connectors/push-router/main.ts')], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
  });
  const keep = (c: Buffer) => void (out = (out + c.toString('utf8')).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => out };
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

const launch = () =>
  chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      // mediasoup listens and announces 127.0.0.1: Chromium must gather loopback candidates to reach it.
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });

/** Answers to a signalling request sent on a raw WebSocket (what a client that is not the page would do). */
interface Answer {
  id: number;
  ok: boolean;
  data?: Record<string, unknown>;
  error?: { code: string; message: string };
}

describe('live streaming in two headless Chromium instances (real stack)', { timeout: 420_000 }, () => {
  const endpoints = loadEndpoints();
  const kafka = testKafka('seatstream-it-streaming');
  const eventId = `it-stream-${randomUUID()}`;
  const allocatorApp = `it-stream-alloc-${randomUUID()}`;
  const pushGroup = `it-stream-push-${randomUUID()}`;
  const channelPrefix = `ss:it:${randomUUID()}:push:`;
  let stateDir: string;
  let h: Harness;
  let sink: PostgresSink;
  let sinkConsumer: string;
  let sinkGroup: string;
  let router: ReturnType<typeof startPushRouter> | undefined;
  let subscriber: Redis | undefined;
  let streaming: StreamingService | undefined;
  let gateway: LoopbackGateway | undefined;
  let apiBase: string;
  const browsers: Browser[] = [];
  let org: SignedIn;
  let holder: SignedIn;
  let stranger: SignedIn;
  let bookingId: string;
  /** The streaming service's clock runs this much ahead (expired-token case). */
  let skewMs = 0;
  /** A mediasoup worker that died: the media waits fail at once with it instead of running out their time. */
  let workerDeath: Error | null = null;

  before(async () => {
    mkdirSync(shots, { recursive: true });
    stateDir = await mkdtemp(join(tmpdir(), 'streaming-it-'));
    process.env.PUSH_CHANNEL_PREFIX = channelPrefix; // read by the API's bookings plugin
    h = await startHarness({ env: fastArgon2 });
    ({ sink, consumer: sinkConsumer, groupId: sinkGroup } = await startTestSink(h.pool, kafka));
    // The allocator starts at the end of the shared input topics: it decides this test's commands only, instead of
    // replaying every earlier run's log first.
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const spec of [topics.reservationCommands, topics.catalogEvents]) {
        const ends = await admin.fetchTopicOffsets(spec.name);
        await admin.setOffsets({
          groupId: allocatorApp,
          topic: spec.name,
          partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
        });
      }
    } finally {
      await admin.disconnect();
    }
    new ServiceProcess('allocator', {
      SEAT_ALLOCATION_APPLICATION_ID: allocatorApp,
      SEAT_ALLOCATION_INSTANCE_ID: `it-${randomUUID().slice(0, 8)}`,
      SEAT_ALLOCATION_STATE_DIR: join(stateDir, 'allocator'),
      SEAT_ALLOCATION_SESSION_TIMEOUT_MS: '6000',
    });
    router = startPushRouter({
      PUSH_CHANNEL_PREFIX: channelPrefix,
      PUSH_ROUTER_GROUP_ID: pushGroup,
      PUSH_ROUTER_ORIGIN_APP: allocatorApp,
      PUSH_ROUTER_SESSION_TIMEOUT_MS: '6000',
    });
    [org, holder, stranger] = [await organizer(h), await customer(h), await customer(h)];
    const def = {
      ...concertHall({ eventId, onSaleAt: Date.now() - 60_000, holdDurationMs: 600_000, maxTicketsPerBuyer: 4 }),
      organizerId: org.user.id,
      name: `Streaming test ${eventId.slice(-8)}`,
    };
    await publishCatalog([def], { brokers: kafkaBrokers(endpoints) });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    apiBase = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    subscriber = new Redis(endpoints.redis, { connectionName: 'streaming-it-subscriber' });
    streaming = await startStreamingService({
      config: { ...loadStreamingConfig({}), port: 0, workers: 2, peersPerRouter: 1 },
      api: h.config,
      jwtKeys: h.secrets.jwtKeys,
      pool: h.pool,
      redis: h.redis,
      subscriber,
      channels: channelsFor(channelPrefix),
      log: logger('streaming-it'),
      now: () => new Date(Date.now() + skewMs),
      onWorkerDeath: (err) => (workerDeath = err),
    });
    gateway = await startLoopbackGateway({ api: apiBase, streaming: streaming.url });

    // The event reaches the read model; the holder holds one place and the payment saga's command confirms it.
    await eventually('the event in the read model', async () => {
      return (await h.inject({ url: `/v1/events/${eventId}` })).statusCode === 200;
    });
    const held = await eventually(
      'a hold',
      async () => {
        const res = await h.inject({
          method: 'POST',
          url: `/v1/events/${eventId}/holds`,
          token: holder.token,
          headers: { 'idempotency-key': `stream-it-${holder.user.id}` },
          payload: { quantity: 1 },
        });
        if (res.statusCode === 201) return res.json() as { holdId: string };
        if (res.statusCode !== 202) throw new Error(`hold: ${res.statusCode} ${res.body}`);
        return undefined; // undecided in time: asking again with the same key answers the same decision
      },
      120_000,
    );
    const serde = serdeFor(topics.reservationCommands, createRegistryClient(endpoints.schemaRegistry), {
      autoRegister: false,
    });
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const requestId = randomUUID();
      const value = await serde.serialize(
        topics.reservationCommands.name,
        commandToAvro({
          type: 'ConfirmBooking',
          requestId,
          eventId,
          buyerId: holder.user.id,
          issuedAt: Date.now(),
          channel: 'web',
          partnerId: null,
          traceparent: null,
          holdId: held.holdId,
          paymentReference: `psp-${requestId}`,
        }),
      );
      await producer.send({ topic: topics.reservationCommands.name, acks: -1, messages: [{ key: eventId, value }] });
    } finally {
      await producer.disconnect();
    }
    bookingId = await eventually('the confirmed booking in the read model', async () => {
      return (await confirmedBookingOf(h.pool, holder.user.id, eventId)) ?? undefined;
    });
    browsers.push(await launch(), await launch());
  });

  after(async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    await gateway?.close();
    await streaming?.close();
    await subscriber?.quit();
    await stopChild(router?.child);
    await stopAllServices();
    await sink?.stop();
    if (h) {
      await cleanUp(h.pool, kafka, {
        eventIds: [eventId],
        consumers: [sinkConsumer],
        groupIds: [sinkGroup, pushGroup, allocatorApp],
      });
      await h.close();
    }
    delete process.env.PUSH_CHANNEL_PREFIX;
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  const streamToken = (who: SignedIn, role: 'viewer' | 'broadcaster', event = eventId) =>
    h.inject({ method: 'POST', url: `/v1/events/${event}/stream-token`, token: who.token, payload: { role } });

  /** Opens the signalling WebSocket through the gateway and joins; answers the join's answer and closes. */
  async function joinWith(who: SignedIn, streamTokenValue: string, event = eventId): Promise<Answer> {
    const ws = new WebSocket(`${gateway!.url.replace(/^http/, 'ws')}${SIGNALING_PATH}`, [
      STREAM_SUBPROTOCOL,
      `bearer.${who.token}`,
    ]);
    try {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const answer = new Promise<Answer>((resolve, reject) => {
        ws.on('message', (d) => {
          const m = JSON.parse(d.toString()) as Answer;
          if (m.id === 1) resolve(m);
        });
        ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
      });
      ws.send(JSON.stringify({ id: 1, method: 'join', data: { eventId: event, streamToken: streamTokenValue } }));
      return await answer;
    } finally {
      ws.terminate();
    }
  }

  /** Waits for a page element (or condition), failing at once if a mediasoup worker died meanwhile. */
  const mediaWait = (what: string, check: () => Promise<boolean | number>) =>
    eventually(what, async () => {
      if (workerDeath) throw new Error(`a mediasoup worker died while waiting for ${what}: ${workerDeath.message}`);
      return check();
    });
  const shown = (page: Page, selector: string) => mediaWait(selector, () => page.locator(selector).isVisible());
  const present = (page: Page, selector: string) =>
    mediaWait(selector, async () => (await page.locator(selector).count()) > 0);

  /** A page of `browser` signed in as `who` (the tokens the page keeps in sessionStorage). */
  async function pageAs(browser: Browser, who: SignedIn, path: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await ctx.addInitScript(
      ({ token, email }) => {
        window.sessionStorage.setItem('ss.access', token);
        window.sessionStorage.setItem('ss.refresh', '');
        window.sessionStorage.setItem('ss.email', email);
      },
      { token: who.token, email: who.user.email },
    );
    const page = await ctx.newPage();
    page.on('pageerror', (err) => console.error(`page error: ${err.message}`));
    await page.goto(`${gateway!.url}${path}`);
    return page;
  }

  it('issues stream tokens only to ticket holders (viewers) and to the organizer (broadcaster)', async () => {
    const viewer = await streamToken(holder, 'viewer');
    assert.equal(viewer.statusCode, 200, viewer.body);
    assert.equal((viewer.json() as { bookingId: string }).bookingId, bookingId);
    const noTicket = await streamToken(stranger, 'viewer');
    assert.equal(noTicket.statusCode, 403);
    assert.equal((noTicket.json() as { code: string }).code, 'SS_ERR_STREAM_NO_TICKET');
    const notOrganizer = await streamToken(holder, 'broadcaster');
    assert.equal(notOrganizer.statusCode, 403);
    assert.equal((notOrganizer.json() as { code: string }).code, 'SS_ERR_STREAM_NOT_ORGANIZER');
    assert.equal((await streamToken(org, 'broadcaster')).statusCode, 200);
    const anonymous = await h.inject({ method: 'POST', url: `/v1/events/${eventId}/stream-token`, payload: {} });
    assert.equal(anonymous.statusCode, 401);
  });

  it('refuses a forged, an expired, a wrong-event and somebody else’s stream token when joining', async () => {
    const { token } = streamTokenBody(await streamToken(holder, 'viewer'));
    const forger = await StreamTokens.create(newKeySet(await generateSigningKey()), {
      issuer: h.config.jwt.issuer,
      ttlSec: 300,
      clockToleranceSec: 0,
    });
    const forged = await forger.sign({ sub: holder.user.id, eventId, bookingId, role: 'viewer' });
    assert.equal((await joinWith(holder, forged.token)).error?.code, 'SS_ERR_STREAM_TOKEN_INVALID');
    const [head, payload] = token.split('.');
    const tampered = `${head}.${payload}.${Buffer.alloc(64, 7).toString('base64url')}`;
    assert.equal((await joinWith(holder, tampered)).error?.code, 'SS_ERR_STREAM_TOKEN_INVALID');
    assert.equal(
      (await joinWith(holder, token, `it-stream-other-${randomUUID()}`)).error?.code,
      'SS_ERR_STREAM_WRONG_EVENT',
    );
    assert.equal((await joinWith(stranger, token)).error?.code, 'SS_ERR_STREAM_TOKEN_NOT_YOURS');
    // Eight minutes later on the service's clock: past the 5-minute stream token and its 30 s tolerance, within the
    // 10-minute access token (both fresh; the harness clock, which signs them, runs 30 s ahead after TOTP enrolment).
    const login = await h.login(holder.user);
    const relogged = { user: holder.user, token: (login.json() as { accessToken: string }).accessToken };
    const soonExpired = streamTokenBody(
      await h.inject({
        method: 'POST',
        url: `/v1/events/${eventId}/stream-token`,
        token: relogged.token,
        payload: { role: 'viewer' },
      }),
    ).token;
    skewMs = 8 * 60_000;
    try {
      assert.equal((await joinWith(relogged, soonExpired)).error?.code, 'SS_ERR_STREAM_TOKEN_EXPIRED');
    } finally {
      skewMs = 0;
    }
    const joined = await joinWith(holder, token);
    assert.equal(joined.ok, true, JSON.stringify(joined.error));
  });

  it('a buyer without a ticket is told why on the viewer page', async () => {
    const page = await pageAs(browsers[1]!, stranger, `/watch.html?event=${eventId}`);
    await page.locator('#join').click();
    await page.locator('#error[data-code="SS_ERR_STREAM_NO_TICKET"]').waitFor({ state: 'visible', timeout: WAIT });
    await page.context().close();
  });

  it("the holder's viewer receives the organizer's audio and video; cancelling the booking disconnects it", async (t) => {
    const broadcaster = await pageAs(browsers[0]!, org, `/broadcast.html?event=${eventId}`);
    await broadcaster.locator('#camera').click();
    await shown(broadcaster, '#start:not([disabled])');
    await broadcaster.locator('#start').click();
    await present(broadcaster, '#live[data-state="on"]');

    const viewer = await pageAs(browsers[1]!, holder, `/watch.html?event=${eventId}`);
    const joining = Date.now();
    await viewer.locator('#join').click();
    await present(viewer, '#live[data-state="on"]');
    const frames = await mediaWait('video frames decoded in the viewer', async () => {
      const n = Number(await viewer.locator('#q-frames').getAttribute('data-value'));
      return n > 0 && n;
    });
    t.diagnostic(
      `join click -> first decoded frames (${frames}) in ${Date.now() - joining} ms (a measure, not a check)`,
    );
    await mediaWait('audio received by the viewer', async () => {
      return Number(await viewer.locator('#q-audio').getAttribute('data-bytes')) > 0;
    });
    await present(broadcaster, '#viewers[data-value="1"]');
    // One peer per router and two workers: the viewer is on a second router, fed through pipeToRouter.
    const room = streaming!.rooms.get(eventId)!;
    assert.equal(room.routers.length, 2);
    assert.notEqual(room.routers[0]!.worker.index, room.routers[1]!.worker.index);
    await viewer.screenshot({ path: join(shots, 'viewer-watching.png') });
    await broadcaster.screenshot({ path: join(shots, 'broadcaster-live.png') });

    const cancelled = await h.inject({ method: 'DELETE', url: `/v1/bookings/${bookingId}`, token: holder.token });
    assert.equal(cancelled.statusCode, 204, cancelled.body);
    await shown(viewer, '#error[data-code="SS_ERR_STREAM_BOOKING_CANCELLED"]');
    await present(viewer, '#live[data-state="off"]');
    await present(broadcaster, '#viewers[data-value="0"]');
    await viewer.screenshot({ path: join(shots, 'viewer-cancelled.png') });
    // The cancelled booking no longer opens the stream: no new token, and the old one is refused at the door.
    assert.equal((await streamToken(holder, 'viewer')).statusCode, 403);

    await broadcaster.locator('#stop').click();
    await present(broadcaster, '#live[data-state="off"]');
    await viewer.context().close();
    await broadcaster.context().close();
    await eventually('the room to close', async () => streaming!.rooms.get(eventId) === undefined);
  });
});

const streamTokenBody = (res: { statusCode: number; body: string; json(): unknown }) => {
  if (res.statusCode !== 200) throw new Error(`stream token: ${res.statusCode} ${res.body}`);
  return res.json() as { token: string; bookingId: string | null };
};
