/**
 * Bookings and live push end to end, on the real local stack: the seat-allocation service (child process), the push
 * router, and API replicas listening on 127.0.0.1 (see testing/live-stack.ts). Clients speak HTTP and WebSocket only.
 *
 *   - register and log in; a hold through replica A answers 201 with seats, price and expiry, and is pushed to
 *     WebSocket clients of replica B (the buyer's `me` topic, everyone's availability);
 *   - the same Idempotency-Key again (through B) gets the same hold; the key reused for another request is a 422;
 *   - a taken seat is 409 RSV_SEAT_UNAVAILABLE; release, release again, release by someone else;
 *   - a hold expires and the expiry is pushed; with no wait the answer is 202 and a status URL;
 *   - a booking is cancelled by its owner, and by an admin with TOTP on the owner's behalf;
 *   - a slow client is closed (4429) and its snapshots conflated, while a fast one gets everything;
 *   - replicas subscribe to Redis only for their clients' topics;
 *   - bad input everywhere is a 4xx with a stable code, never a 5xx.
 * It also prints the hold and push latencies it measured (not asserted: benchmarks assert, tests do not).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { kafkaBrokers, loadEndpoints } from '../../infra/config.js';
import kafkajs from 'kafkajs';
import type { EventDefinition, ReservationDecision } from '../../processors/seat-allocation/model.js';
import { commandToAvro } from '../../processors/seat-allocation/codec.js';
import type { AvailabilityView } from '../../processors/seat-allocation/availabilityView.js';
import { createRegistryClient } from '../../schemas/registry-client.js';
import { serdeFor } from '../../schemas/serde.js';
import { topics } from '../../topics/catalog.js';
import { routeAvailability, routeDecision } from '../../connectors/push-router/routing.js';
import { base32Decode } from '../auth/base32.js';
import { totpAt } from '../auth/totp.js';
import type { HoldView } from './views.js';
import {
  PushClient,
  http,
  signUp,
  startLiveStack,
  type Account,
  type Frame,
  type LiveStack,
  type Replica,
} from './testing/live-stack.js';

const { Kafka, Partitioners, logLevel } = kafkajs;

const WAIT = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** The state (0 free, 1 held, 2 sold) of a seat in an availability push, from the packed states of its section. */
function seatState(
  def: EventDefinition,
  availability: { sections: { sectionId: string; seatStatus: string }[] },
  seatId: string,
): number {
  const [sectionId, rowId, number] = seatId.split('-');
  const section = def.venue.sections.find((s) => s.id === sectionId)!;
  let i = 0;
  for (const row of section.rows)
    for (const run of row.runs)
      for (let k = 0; k < run.count; k++, i++)
        if (row.id === rowId && run.firstNumber + k * run.numberStep === Number(number)) {
          const packed = Buffer.from(
            availability.sections.find((s) => s.sectionId === sectionId)!.seatStatus,
            'base64',
          );
          return (packed[i >> 2]! >> (6 - 2 * (i & 3))) & 3;
        }
  throw new Error(`no seat ${seatId}`);
}

const isMe = (type: string, match: (d: Record<string, unknown>) => boolean) => (f: Frame) =>
  f.type === 'me' && (f.decision as { type: string }).type === type && match(f.decision as Record<string, unknown>);

const hold = (r: Replica, a: Account, eventId: string, body: unknown, key: string = randomUUID()) =>
  http<HoldView & { code?: string; seatIds?: string[]; requestId: string; statusUrl?: string }>(
    r.url,
    'POST',
    `/v1/events/${eventId}/holds`,
    { token: a.token, body, headers: { 'idempotency-key': key } },
  );

describe('bookings and live push (Kafka, registry, PostgreSQL, Redis, seat allocator, push router, two API replicas)', () => {
  let stack: LiveStack;
  let A: Replica;
  let B: Replica;
  let event: EventDefinition;
  let shortEvent: EventDefinition;
  let alice: Account;
  let bob: Account;
  let aliceWs: PushClient;
  let bobWs: PushClient;
  const clients: PushClient[] = [];
  const connect = async (r: Replica, opts: Parameters<typeof PushClient.connect>[1]) => {
    const c = await PushClient.connect(r.url, opts);
    clients.push(c);
    return c;
  };
  /** A SeatsHeld decision and a snapshot as the allocator made them, for the load of the slow-client test. */
  let sampleDecision: ReservationDecision | null = null;

  before(
    async () => {
      stack = await startLiveStack();
      A = await stack.startReplica('api-a', { decisionWaitMs: WAIT });
      B = await stack.startReplica('api-b', {
        decisionWaitMs: WAIT,
        push: { maxQueuedPersonal: 64, highWaterBytes: 16 * 1024, heartbeatMs: 120_000 },
      });
      alice = await signUp(stack.harness, A.url, 'alice');
      bob = await signUp(stack.harness, B.url, 'bob');
      aliceWs = await connect(B, { token: alice.token, via: 'message' });
      await aliceWs.waitFor((f) => f.type === 'ready', 10_000, 'ready');
      await aliceWs.subscribe('me');
      // Subscribed before the events exist: the allocator publishes an event's first snapshot once it has its
      // catalog record, which is how the test knows it is ready.
      bobWs = await connect(B, { token: bob.token });
      const [longId, shortId] = [stack.newEventId(), stack.newEventId()];
      for (const id of [longId, shortId]) await bobWs.subscribe('availability', id);
      event = await stack.publishEvent({ eventId: longId });
      shortEvent = await stack.publishEvent({ eventId: shortId, holdDurationMs: 2_000 });
      for (const e of [event, shortEvent])
        await bobWs.waitFor(
          (f) => f.type === 'availability' && f.eventId === e.eventId,
          120_000,
          `first snapshot of ${e.eventId}`,
        );
    },
    { timeout: 240_000 },
  );

  after(
    async () => {
      for (const c of clients) c.terminate();
      await stack?.close();
    },
    { timeout: 120_000 },
  );

  const seats = ['ST3-A-3', 'ST3-A-4'];
  let first: HoldView & { requestId: string };
  let firstKey: string;

  it('a hold through replica A answers 201 with its seats, price and expiry, and is pushed to clients of replica B', async () => {
    firstKey = randomUUID();
    const res = await hold(A, alice, event.eventId, { seatIds: seats }, firstKey);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    first = res.body;
    assert.equal(first.status, 'HELD');
    assert.equal(first.holdId, `H-${first.requestId}`);
    assert.deepEqual(
      first.seats.map((s) => s.seatId),
      seats,
    );
    assert.deepEqual(
      first.seats.map((s) => s.priceCategoryId),
      ['VIP', 'VIP'],
    );
    assert.equal(first.totalMinor, 2 * 95_000);
    assert.equal(first.currency, 'SAR');
    assert.equal(Date.parse(first.expiresAt) - Date.parse(first.heldAt), event.holdDurationMs);

    const pushed = await aliceWs.waitFor(
      isMe('SeatsHeld', (d) => (d.hold as HoldView).holdId === first.holdId),
      WAIT,
      'SeatsHeld on B',
    );
    assert.deepEqual((pushed.decision as { hold: HoldView }).hold, first);
    const snapshot = await bobWs.waitFor(
      (f) =>
        f.type === 'availability' &&
        f.eventId === event.eventId &&
        seatState(event, f.availability as AvailabilityView, seats[0]!) === 1,
      WAIT,
      'a snapshot with the seats held',
    );
    for (const s of seats) assert.equal(seatState(event, snapshot.availability as AvailabilityView, s), 1, s);
    assert.equal(seatState(event, snapshot.availability as AvailabilityView, 'ST3-A-5'), 0);
  });

  it('the same Idempotency-Key again, through replica B, answers the same hold; the key reused for another request is a 422', async () => {
    const again = await hold(B, alice, event.eventId, { seatIds: seats }, firstKey);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.deepEqual(again.body, first);
    const reused = await hold(A, alice, event.eventId, { seatIds: ['ST3-A-6'] }, firstKey);
    assert.equal(reused.status, 422);
    assert.equal(reused.body.code, 'SS_ERR_BOOKING_IDEMPOTENCY_KEY_REUSED');

    const status = await http<{ status: string; requestId: string }>(B.url, 'GET', `/v1/requests/${first.requestId}`, {
      token: alice.token,
    });
    assert.equal(status.status, 200);
    assert.equal(status.body.requestId, first.requestId);
    // PENDING while only the API knows the request; ACCEPTED once the read-model sink has the decision.
    assert.ok(['PENDING', 'ACCEPTED'].includes(status.body.status), status.body.status);
    const notHers = await http(B.url, 'GET', `/v1/requests/${first.requestId}`, { token: bob.token });
    assert.equal(notHers.status, 404);
    assert.equal(notHers.body.code, 'SS_ERR_BOOKING_REQUEST_NOT_FOUND');
  });

  it('a seat held by someone else is refused: 409 RSV_SEAT_UNAVAILABLE naming it', async () => {
    const res = await hold(B, bob, event.eventId, { seatIds: ['ST3-A-4', 'ST3-A-5'] });
    assert.equal(res.status, 409);
    assert.equal(res.body.code, 'RSV_SEAT_UNAVAILABLE');
    assert.deepEqual(res.body.seatIds, ['ST3-A-4']);
  });

  it('release: 204 and pushed; again: the same answer; the seats are free for others; a hold of someone else is 403', async () => {
    const other = await hold(A, alice, event.eventId, { seatIds: ['ST3-A-6'] });
    assert.equal(other.status, 201);
    const notYours = await http(B.url, 'DELETE', `/v1/holds/${other.body.holdId}`, { token: bob.token });
    assert.equal(notYours.status, 403);
    assert.equal(notYours.body.code, 'RSV_NOT_HOLD_OWNER');

    const released = await http(B.url, 'DELETE', `/v1/holds/${first.holdId}`, { token: alice.token });
    assert.equal(released.status, 204);
    await aliceWs.waitFor(
      isMe('HoldReleased', (d) => d.holdId === first.holdId),
      WAIT,
      'HoldReleased',
    );
    const again = await http(A.url, 'DELETE', `/v1/holds/${first.holdId}`, { token: alice.token });
    assert.equal(again.status, 204);
    const taken = await hold(B, bob, event.eventId, { seatIds: ['ST3-A-4', 'ST3-A-5'] });
    assert.equal(taken.status, 201, JSON.stringify(taken.body));
    const gone = await http(A.url, 'DELETE', `/v1/holds/${first.holdId}`, { token: bob.token });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.code, 'RSV_HOLD_NOT_FOUND');
    await http(A.url, 'DELETE', `/v1/holds/${other.body.holdId}`, { token: alice.token });
    await http(A.url, 'DELETE', `/v1/holds/${taken.body.holdId}`, { token: bob.token });
  });

  it('a hold expires: its owner is told, and its seats are free again', async () => {
    const res = await hold(A, alice, shortEvent.eventId, { quantity: 3, priceCategoryId: 'CAT2' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.seats.length, 3);
    assert.equal(Date.parse(res.body.expiresAt) - Date.parse(res.body.heldAt), 2_000);
    const expired = await aliceWs.waitFor(
      isMe('HoldExpired', (d) => d.holdId === res.body.holdId),
      30_000,
      'HoldExpired',
    );
    assert.equal((expired.decision as { expiresAt: string }).expiresAt, res.body.expiresAt);
    await bobWs.waitFor(
      (f) =>
        f.type === 'availability' &&
        f.eventId === shortEvent.eventId &&
        (f.availability as AvailabilityView).totals.held === 0 &&
        Date.parse((f.availability as { asOf: string }).asOf) >= Date.parse(res.body.expiresAt),
      WAIT,
      'the seats free again',
    );
  });

  it('when the decision takes longer than the wait: 202 with a status URL; the retry gets the decision', async () => {
    const C = await stack.startReplica('api-c', { decisionWaitMs: 0 });
    const key = randomUUID();
    const res = await hold(C, alice, event.eventId, { quantity: 1, priceCategoryId: 'CAT2' }, key);
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'PENDING');
    assert.equal(res.headers.get('location'), res.body.statusUrl);
    assert.equal(res.body.statusUrl, `/v1/requests/${res.body.requestId}`);
    const status = await http<{ status: string }>(C.url, 'GET', res.body.statusUrl!, { token: alice.token });
    assert.equal(status.status, 200);
    assert.ok(['PENDING', 'ACCEPTED'].includes(status.body.status));
    const retried = await hold(A, alice, event.eventId, { quantity: 1, priceCategoryId: 'CAT2' }, key);
    assert.equal(retried.status, 201);
    assert.equal(retried.body.requestId, res.body.requestId);
    assert.equal(retried.body.seats[0]!.priceCategoryId, 'CAT2');
    await http(A.url, 'DELETE', `/v1/holds/${retried.body.holdId}`, { token: alice.token });
  });

  it("a booking is cancelled by its owner, or by an admin with TOTP on the owner's behalf; not by another buyer", async () => {
    const registry = createRegistryClient(loadEndpoints().schemaRegistry);
    const serde = serdeFor(topics.reservationCommands, registry, { autoRegister: false });
    const kafka = new Kafka({
      brokers: kafkaBrokers(loadEndpoints()),
      clientId: 'bookings-it-payments',
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    /** What the payment saga sends once a payment is authorised. */
    const confirm = async (holdId: string): Promise<string> => {
      const requestId = randomUUID();
      const value = await serde.serialize(
        topics.reservationCommands.name,
        commandToAvro({
          type: 'ConfirmBooking',
          requestId,
          eventId: event.eventId,
          buyerId: alice.id,
          issuedAt: Date.now(),
          channel: 'web',
          partnerId: null,
          traceparent: null,
          holdId,
          paymentReference: `psp-${requestId}`,
        }),
      );
      await producer.send({
        topic: topics.reservationCommands.name,
        acks: -1,
        messages: [{ key: event.eventId, value }],
      });
      const confirmed = await aliceWs.waitFor(
        isMe('BookingConfirmed', (d) => (d.booking as { holdId: string }).holdId === holdId),
        WAIT,
        'BookingConfirmed',
      );
      return (confirmed.decision as { booking: { bookingId: string } }).booking.bookingId;
    };
    try {
      const h1 = await hold(A, alice, event.eventId, { quantity: 1 });
      assert.equal(h1.status, 201);
      const b1 = await confirm(h1.body.holdId);
      assert.equal(b1, `B-${h1.body.requestId}`);
      const byBob = await http(B.url, 'DELETE', `/v1/bookings/${b1}`, { token: bob.token });
      assert.equal(byBob.status, 403);
      assert.equal(byBob.body.code, 'RSV_NOT_BOOKING_OWNER');
      const cancelled = await http(B.url, 'DELETE', `/v1/bookings/${b1}`, {
        token: alice.token,
        body: { reason: 'cannot come' },
      });
      assert.equal(cancelled.status, 204);
      const pushed = await aliceWs.waitFor(
        isMe('BookingCancelled', (d) => d.bookingId === b1),
        WAIT,
        'BookingCancelled',
      );
      assert.deepEqual(
        [(pushed.decision as { reason: string }).reason, (pushed.decision as { byOperator: boolean }).byOperator],
        ['cannot come', false],
      );

      const h2 = await hold(A, alice, event.eventId, { quantity: 1 });
      const b2 = await confirm(h2.body.holdId);
      const admin = await signUp(stack.harness, A.url, 'admin');
      await stack.harness.setRole({ id: admin.id, email: admin.email, password: admin.password }, 'admin');
      const pwdOnly = await http<{ accessToken: string }>(A.url, 'POST', '/v1/auth/login', {
        body: { email: admin.email, password: admin.password },
      });
      const noTotp = await http(A.url, 'DELETE', `/v1/bookings/${b2}`, { token: pwdOnly.body.accessToken });
      assert.equal(noTotp.status, 403);
      assert.equal(noTotp.body.code, 'SS_ERR_AUTH_MFA_REQUIRED');
      const enrol = await http<{ secret: string }>(A.url, 'POST', '/v1/me/mfa/totp', {
        token: pwdOnly.body.accessToken,
      });
      const activated = await http<{ accessToken: string }>(A.url, 'POST', '/v1/me/mfa/totp/activate', {
        token: pwdOnly.body.accessToken,
        body: { code: totpAt(base32Decode(enrol.body.secret), Date.now()) },
      });
      assert.equal(activated.status, 200, JSON.stringify(activated.body));
      const byAdmin = await http(B.url, 'DELETE', `/v1/bookings/${b2}`, { token: activated.body.accessToken });
      assert.equal(byAdmin.status, 204, JSON.stringify(byAdmin.body));
    } finally {
      await producer.disconnect();
    }
  });

  it('the replicas subscribe to Redis only for the topics their own clients follow', async () => {
    const numsub = async (channel: string) =>
      Number(((await stack.redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
    const shortChannel = stack.channels.availability(shortEvent.eventId);
    assert.equal(await numsub(shortChannel), 1, 'only B has clients following the short event');
    const onA = await Promise.all([1, 2, 3].map(() => connect(A, { token: bob.token })));
    for (const c of onA) await c.subscribe('availability', shortEvent.eventId);
    assert.equal(await numsub(shortChannel), 2, 'A joins once for its three clients');
    for (const c of onA) c.close();
    await eventually(async () => (await numsub(shortChannel)) === 1 || undefined, 10_000, 'A to leave the channel');
    assert.equal(await numsub(stack.channels.user(bob.id)), 0, "nobody follows bob's own topic");
    assert.equal(await numsub(stack.channels.user(alice.id)), 1);
    const waiting = (await stack.redis.pubsub('CHANNELS', `${stack.channels.prefix}decision:*`)) as string[];
    assert.deepEqual(waiting, [], 'no replica listens for decisions it does not wait for');
    const replies = ((await stack.redis.pubsub('CHANNELS', `${stack.channels.prefix}reply:*`)) as string[]).sort();
    assert.ok(
      replies.includes(stack.channels.reply('api-a')) && replies.includes(stack.channels.reply('api-b')),
      replies.join(),
    );
  });

  it('a slow client is closed (4429) when its personal queue overflows and gets only the latest snapshots, while a fast client gets everything', async () => {
    // Load on the channels, in the router's own encoding: copies of a real decision and a real snapshot.
    const held = await hold(A, alice, event.eventId, { quantity: 4, sectionId: 'BA3' });
    assert.equal(held.status, 201);
    const decision = (
      await aliceWs.waitFor(
        isMe('SeatsHeld', (d) => (d.hold as HoldView).holdId === held.body.holdId),
        WAIT,
        'sample',
      )
    ).decision as { hold: HoldView };
    sampleDecision = {
      type: 'SeatsHeld',
      meta: {
        requestId: held.body.requestId,
        eventId: event.eventId,
        buyerId: alice.id,
        occurredAt: Date.parse(held.body.heldAt),
        commandIssuedAt: Date.parse(held.body.heldAt),
        channel: 'web',
        partnerId: null,
        traceparent: null,
        replay: false,
      },
      holdId: decision.hold.holdId,
      seats: decision.hold.seats,
      ga: null,
      totalMinor: decision.hold.totalMinor,
      currency: decision.hold.currency,
      expiresAt: Date.parse(decision.hold.expiresAt),
    };
    const lastSnapshot = [...bobWs.frames]
      .reverse()
      .find((f) => f.type === 'availability' && f.eventId === event.eventId)!;
    const view = {
      ...(lastSnapshot.availability as AvailabilityView),
      asOf: Date.parse((lastSnapshot.availability as { asOf: string }).asOf),
    };

    const fast = await connect(B, { token: alice.token });
    await fast.subscribe('me');
    await fast.subscribe('availability', event.eventId);
    const slowMe = await connect(B, { token: alice.token });
    await slowMe.subscribe('me');
    const slowSnapshots = await connect(B, { token: bob.token });
    await slowSnapshots.subscribe('availability', event.eventId);
    slowMe.pause();
    slowSnapshots.pause();

    const metrics = async () => (await fetch(`${B.url}/metrics`)).text();
    const slowClosed = async () =>
      /seatstream_push_closes_total\{reason="SS_ERR_PUSH_SLOW_CONSUMER"\} [1-9]/.test(await metrics());
    let sent = 0;
    let version = view.version + 1_000_000;
    const round = async () => {
      const pipeline = stack.redis.pipeline();
      for (let i = 0; i < 32; i++, sent++) {
        const copy = { ...sampleDecision!, meta: { ...sampleDecision!.meta, requestId: `load-${sent}` } };
        for (const p of routeDecision(stack.channels, copy, null))
          if (p.channel === stack.channels.user(alice.id)) pipeline.publish(p.channel, p.payload);
        for (const p of routeAvailability(stack.channels, { ...view, version: ++version }))
          pipeline.publish(p.channel, p.payload);
      }
      await pipeline.exec();
      const expected = `load-${sent - 1}`;
      await fast.waitFor(
        isMe('SeatsHeld', (d) => d.requestId === expected),
        WAIT,
        `fast client to get ${expected}`,
      );
    };
    let rounds = 0;
    while (!(await slowClosed())) {
      assert.ok(rounds++ < 2_000, 'the slow client was never closed');
      await round();
    }
    for (let i = 0; i < 5; i++) await round(); // more snapshots while the slow one is still stuck

    const loads = fast.frames.filter(isMe('SeatsHeld', (d) => String(d.requestId).startsWith('load-')));
    assert.deepEqual(
      loads.map((f) => (f.decision as { requestId: string }).requestId),
      Array.from({ length: sent }, (_, i) => `load-${i}`),
      'the fast client got every personal event, in order',
    );
    await fast.waitFor(
      (f) => f.type === 'availability' && (f.availability as AvailabilityView).version === version,
      WAIT,
      'last snapshot (fast)',
    );

    slowMe.resume();
    const closed = await slowMe.closed;
    assert.equal(closed.code, 4429);
    assert.equal(closed.reason, 'SS_ERR_PUSH_SLOW_CONSUMER');

    slowSnapshots.resume();
    await slowSnapshots.waitFor(
      (f) => f.type === 'availability' && (f.availability as AvailabilityView).version === version,
      WAIT,
      'last snapshot (slow)',
    );
    const versions = slowSnapshots.frames
      .filter((f) => f.type === 'availability')
      .map((f) => (f.availability as AvailabilityView).version);
    assert.ok(
      versions.every((v, i) => i === 0 || v > versions[i - 1]!),
      'versions only go up',
    );
    assert.ok(
      versions.length < sent,
      `the slow client got ${versions.length} of ${sent} snapshots: the others were conflated`,
    );
    await http(A.url, 'DELETE', `/v1/holds/${held.body.holdId}`, { token: alice.token });
  });

  it('bad input gets a 4xx with a stable code, over HTTP and WebSocket, never a 5xx', async () => {
    const t = alice.token;
    const e = event.eventId;
    const cases: [string, Promise<{ status: number; body: unknown }>, number, string][] = [
      [
        'no key',
        http(A.url, 'POST', `/v1/events/${e}/holds`, { token: t, body: { quantity: 1 } }),
        400,
        'SS_ERR_BOOKING_IDEMPOTENCY_KEY_MISSING',
      ],
      [
        'short key',
        http(A.url, 'POST', `/v1/events/${e}/holds`, {
          token: t,
          body: { quantity: 1 },
          headers: { 'idempotency-key': 'abc' },
        }),
        400,
        'SS_ERR_BOOKING_IDEMPOTENCY_KEY_INVALID',
      ],
      [
        'no token',
        http(A.url, 'POST', `/v1/events/${e}/holds`, {
          body: { quantity: 1 },
          headers: { 'idempotency-key': randomUUID() },
        }),
        401,
        'SS_ERR_AUTH_TOKEN_MISSING',
      ],
      ['seats and quantity', hold(A, alice, e, { quantity: 1, seatIds: ['ST1-A-1'] }), 400, 'SS_ERR_VALIDATION'],
      ['zero', hold(A, alice, e, { quantity: 0 }), 400, 'SS_ERR_VALIDATION'],
      ['string quantity', hold(A, alice, e, { quantity: '2' }), 400, 'SS_ERR_VALIDATION'],
      ['duplicate seats', hold(A, alice, e, { seatIds: ['ST1-A-1', 'ST1-A-1'] }), 400, 'SS_ERR_VALIDATION'],
      ['unknown field', hold(A, alice, e, { quantity: 1, vip: true }), 400, 'SS_ERR_VALIDATION'],
      ['bad event id', hold(A, alice, '-x', { quantity: 1 }), 400, 'SS_ERR_VALIDATION'],
      ['unknown event', hold(A, alice, `nope-${randomUUID()}`, { quantity: 1 }), 404, 'RSV_UNKNOWN_EVENT'],
      ['unknown seat', hold(A, alice, e, { seatIds: ['ST9-Z-99'] }), 422, 'RSV_UNKNOWN_SEAT'],
      ['unknown section', hold(A, alice, e, { quantity: 1, sectionId: 'NOPE' }), 422, 'RSV_UNKNOWN_SECTION'],
      ['over the limit', hold(A, bob, e, { quantity: 9 }), 409, 'RSV_LIMIT_EXCEEDED'],
      [
        'unknown hold',
        http(A.url, 'DELETE', `/v1/holds/H-${randomUUID()}`, { token: t }),
        404,
        'SS_ERR_BOOKING_HOLD_NOT_FOUND',
      ],
      ['not a hold id', http(A.url, 'DELETE', '/v1/holds/B-1', { token: t }), 400, 'SS_ERR_VALIDATION'],
      [
        'unknown booking',
        http(A.url, 'DELETE', `/v1/bookings/B-${randomUUID()}`, { token: t }),
        404,
        'SS_ERR_BOOKING_NOT_FOUND',
      ],
      [
        'unknown request',
        http(A.url, 'GET', `/v1/requests/${randomUUID()}`, { token: t }),
        404,
        'SS_ERR_BOOKING_REQUEST_NOT_FOUND',
      ],
      ['plain GET of the socket', http(A.url, 'GET', '/v1/ws'), 426, 'SS_ERR_PUSH_UPGRADE_REQUIRED'],
      ['token in the URL', http(A.url, 'GET', `/v1/ws?token=${t}`), 400, 'SS_ERR_VALIDATION'],
      ['POST to the socket', http(A.url, 'POST', '/v1/ws', { body: {} }), 405, 'SS_ERR_METHOD_NOT_ALLOWED'],
    ];
    for (const [what, pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      assert.equal((res.body as { code?: string }).code, code, what);
    }

    await assert.rejects(PushClient.connect(A.url, { token: 'a.b.c' }), /upgrade refused: 401/);
    const ws = await connect(A, { token: alice.token });
    for (const bad of [
      'nonsense',
      '{"type":"subscribe","topic":"all"}',
      '{"type":"subscribe","topic":"availability","eventId":"../x"}',
    ])
      ws.ws.send(bad);
    ws.ws.send(Buffer.from([1, 2, 3]));
    await eventually(
      async () => ws.frames.filter((f) => f.code === 'SS_ERR_PUSH_BAD_MESSAGE').length === 4 || undefined,
      WAIT,
      '4 error frames',
    );
    const tooMany = await stack.startReplica('api-d', { push: { maxSubscriptions: 2, authTimeoutMs: 200 } });
    const limited = await connect(tooMany, { token: alice.token });
    for (const id of ['e1', 'e2', 'e3']) limited.send({ type: 'subscribe', topic: 'availability', eventId: id });
    await limited.waitFor((f) => f.code === 'SS_ERR_PUSH_TOO_MANY_SUBSCRIPTIONS', WAIT, 'too many subscriptions');
    const silent = await connect(tooMany, {});
    assert.equal((await silent.closed).code, 4401, 'no authentication in time');
    const early = await connect(A, {});
    early.send({ type: 'subscribe', topic: 'me' });
    assert.deepEqual(await early.closed, { code: 4401, reason: 'SS_ERR_PUSH_UNAUTHENTICATED' });
    const forged = await connect(A, { token: `${alice.token.slice(0, -4)}AAAA`, via: 'message' });
    assert.equal((await forged.closed).code, 4401);

    // A client that stops answering pings is dropped (no close frame can reach it: 1006 on its side).
    const beating = await stack.startReplica('api-e', { push: { heartbeatMs: 200 } });
    const deaf = await connect(beating, { token: alice.token });
    await deaf.waitFor((f) => f.type === 'ready', WAIT, 'ready');
    deaf.pause();
    await eventually(
      async () =>
        /seatstream_push_closes_total\{reason="heartbeat"\} 1/.test(
          await (await fetch(`${beating.url}/metrics`)).text(),
        ) || undefined,
      WAIT,
      'the deaf client to be dropped',
    );
    deaf.resume();
    assert.equal((await deaf.closed).code, 1006);

    // Whatever the body, never a 5xx.
    const fuzz = await signUp(stack.harness, A.url, 'fuzz');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          fc.record({ quantity: fc.oneof(fc.integer({ min: -5, max: 60 }), fc.string()) }, { requiredKeys: [] }),
          fc.record({
            seatIds: fc.array(fc.oneof(fc.constantFrom('ST1-A-1', 'PIT-x-1', 'ST2-B-2'), fc.string()), {
              maxLength: 4,
            }),
          }),
          fc.record(
            {
              quantity: fc.integer({ min: 1, max: 3 }),
              sectionId: fc.constantFrom('ST1', 'PIT', 'BA1', 'x'),
              priceCategoryId: fc.constantFrom('VIP', 'CAT1', 'y'),
            },
            { requiredKeys: ['quantity'] },
          ),
        ),
        fc.string({ maxLength: 40 }),
        async (body, key) => {
          const res = await fetch(`${A.url}/v1/events/${e}/holds`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${fuzz.token}`,
              'content-type': 'application/json',
              'idempotency-key': key.replace(/[^\x21-\x7e]/g, '') || 'k',
            },
            body: JSON.stringify(body) ?? 'null',
          });
          const answer = (await res.json()) as { code?: string };
          assert.ok(res.status < 500, `${res.status} ${JSON.stringify(answer)} for ${JSON.stringify(body)}`);
          if (res.status >= 400) assert.match(answer.code ?? '', /^(SS_ERR|RSV)_[A-Z_]+$/);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('measures hold latency (HTTP through A) and push latency (WebSocket on B)', async () => {
    const holdMs: number[] = [];
    const pushMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const res = await hold(A, alice, event.eventId, { quantity: 2, priceCategoryId: 'CAT1' });
      holdMs.push(performance.now() - t0);
      assert.equal(res.status, 201);
      await aliceWs.waitFor(
        isMe('SeatsHeld', (d) => (d.hold as HoldView).holdId === res.body.holdId),
        WAIT,
        'push',
      );
      pushMs.push(performance.now() - t0);
      assert.equal((await http(A.url, 'DELETE', `/v1/holds/${res.body.holdId}`, { token: alice.token })).status, 204);
    }
    const pct = (xs: number[], p: number) =>
      [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!.toFixed(1);
    console.log(
      `hold through A, answered 201: p50 ${pct(holdMs, 0.5)} ms, p95 ${pct(holdMs, 0.95)} ms; ` +
        `pushed to a WebSocket client of B: p50 ${pct(pushMs, 0.5)} ms, p95 ${pct(pushMs, 0.95)} ms (20 holds)`,
    );
  });
});
